// Bearer JWTs: HS256 signatures with the shop's secret, `exp` required, scopes from `scope`.
// Unsigned tokens (alg "none") and every other algorithm are refused.

import { createHmac, timingSafeEqual } from "node:crypto";

const CHALLENGE = { "WWW-Authenticate": 'Bearer realm="shop"' };

function part(text) {
  return JSON.parse(Buffer.from(text, "base64url").toString("utf-8"));
}

export function verifyToken(header, secret, scope, Problem) {
  const refuse = (detail) => new Problem(401, detail, { headers: CHALLENGE });
  const match = /^Bearer ([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)\.([A-Za-z0-9_-]+)$/.exec(header ?? "");
  if (!match) throw refuse("send a bearer token: Authorization: Bearer <jwt>");
  const [, head, payload, signature] = match;
  let claims;
  try {
    if (part(head).alg !== "HS256") throw refuse("only HS256 tokens are accepted");
    claims = part(payload);
  } catch (error) {
    if (error instanceof Problem) throw error;
    throw refuse("the bearer token is not a JWT");
  }
  const expected = createHmac("sha256", secret).update(`${head}.${payload}`).digest();
  const given = Buffer.from(signature, "base64url");
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    throw refuse("the bearer token's signature is not valid");
  }
  if (typeof claims.exp !== "number" || claims.exp * 1000 <= Date.now()) {
    throw refuse("the bearer token has expired (or has no exp)");
  }
  const granted = String(claims.scope ?? "").split(" ");
  if (!granted.includes(scope)) {
    throw new Problem(403, `this operation requires the scope ${scope}`);
  }
  return claims;
}
