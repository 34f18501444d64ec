// The shop's reviews service: ratings and comments on products, in JavaScript on Node.
//
//   node server.js --port 8104 --db var/reviews.json
//
// Requests are checked against the service's own contract (contracts/openapi/reviews.yaml,
// compiled with Ajv), bearer JWTs (HS256, $ACCORD_JWT_SECRET) against each operation's
// scopes; every error is an RFC 9457 problem document. Reviews live in one JSON file,
// replaced atomically on every write. With ACCORD_PROVIDER_STATES=1 (pact verification
// only) POST /_accord/provider-states sets up the states its consumers' pacts name.

import http from "node:http";
import { parseArgs } from "node:util";

import { Checks } from "./lib/checks.js";
import { ReviewStore } from "./lib/store.js";
import { states, UnknownState } from "./lib/states.js";
import { verifyToken } from "./lib/tokens.js";

const JSON_TYPE = "application/json";
const PROBLEM_TYPE = "application/problem+json";
const MAX_BODY = 64 * 1024;
const TITLES = {
  400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
  405: "Method Not Allowed", 413: "Content Too Large", 415: "Unsupported Media Type",
};

class Problem extends Error {
  constructor(status, detail, extra = {}) {
    super(detail);
    this.status = status;
    this.extra = extra;
  }
}

function send(res, status, body, type = JSON_TYPE, headers = {}) {
  const text = body === undefined ? "" : JSON.stringify(body);
  res.writeHead(status, { "Content-Type": type, "Content-Length": Buffer.byteLength(text), ...headers });
  res.end(text);
}

function problem(res, error, path) {
  const { status, extra } = error;
  const { headers = {}, ...members } = extra;
  const body = { type: "about:blank", title: TITLES[status] ?? "Error", status, detail: error.message.slice(0, 2000), ...members };
  if (path.length <= 500) body.instance = path;
  send(res, status, body, PROBLEM_TYPE, headers);
}

function readBody(req) {
  return new Promise((resolve, reject) => {
    const chunks = [];
    let size = 0;
    req.on("data", (chunk) => {
      size += chunk.length;
      if (size > MAX_BODY) {
        reject(new Problem(413, `the body is larger than ${MAX_BODY} bytes`));
        req.destroy();
      } else {
        chunks.push(chunk);
      }
    });
    req.on("end", () => resolve(Buffer.concat(chunks)));
    req.on("error", reject);
  });
}

async function jsonBody(req, checks, schema) {
  const type = (req.headers["content-type"] ?? "").split(";")[0].trim().toLowerCase();
  const raw = await readBody(req);
  if (type !== JSON_TYPE) {
    throw new Problem(415, `send the body as ${JSON_TYPE} (got ${type || "no Content-Type"})`);
  }
  let data;
  try {
    data = JSON.parse(new TextDecoder("utf-8", { fatal: true }).decode(raw));
  } catch {
    throw new Problem(400, "the body is not valid UTF-8 JSON");
  }
  checks.body(schema, data);
  return data;
}

// routes: [method, pattern, scope, handler]
function routes(store, checks) {
  return [
    ["GET", /^\/products\/([^/]+)\/reviews$/, "reviews:read", async (req, [productId], url) => {
      checks.param("ProductId", productId, "productId");
      const limit = checks.limit(url.searchParams.getAll("limit"));
      return [200, store.page(productId, limit)];
    }],
    ["POST", /^\/products\/([^/]+)\/reviews$/, "reviews:write", async (req, [productId], url, claims) => {
      checks.param("ProductId", productId, "productId");
      const body = await jsonBody(req, checks, "ReviewCreate");
      const review = await store.add(productId, body, String(claims.sub ?? "anonymous"));
      return [201, review, { Location: `/reviews/${review.id}` }];
    }],
    ["GET", /^\/reviews\/([^/]+)$/, "reviews:read", async (req, [reviewId]) => {
      checks.param("ReviewId", reviewId, "reviewId");
      const review = store.get(reviewId);
      if (!review) throw new Problem(404, `no review with id ${reviewId}`);
      return [200, review];
    }],
  ];
}

function decodeSegments(match) {
  return match.slice(1).map((part) => {
    try {
      return decodeURIComponent(part);
    } catch {
      throw new Problem(400, "a path segment is not valid percent-encoding");
    }
  });
}

export function createServer({ dbPath, secret, withStates }) {
  const store = new ReviewStore(dbPath);
  const checks = new Checks(Problem);
  const table = routes(store, checks);
  const stateHandlers = states(store);

  return http.createServer(async (req, res) => {
    const url = new URL(req.url ?? "/", "http://localhost");
    const path = url.pathname;
    try {
      if (path === "/healthz" && (req.method === "GET" || req.method === "HEAD")) {
        return send(res, 200, { status: "ok" });
      }
      if (withStates && path === "/_accord/provider-states" && req.method === "POST") {
        const body = JSON.parse((await readBody(req)).toString("utf-8") || "{}");
        if (typeof body.state !== "string") throw new Problem(400, "expected {state, params, action}");
        if ((body.action ?? "setup") === "setup") await stateHandlers.setup(body.state, body.params ?? {});
        return send(res, 200, {});
      }
      const found = table.filter(([, pattern]) => pattern.test(path));
      if (found.length === 0) throw new Problem(404, `no such resource: ${path}`);
      const route = found.find(([method]) => method === req.method);
      if (!route) {
        const allow = found.map(([method]) => method).join(", ");
        throw new Problem(405, `${req.method} is not allowed here`, { headers: { Allow: allow } });
      }
      const [, pattern, scope, handler] = route;
      const claims = verifyToken(req.headers.authorization, secret, scope, Problem);
      const [status, body, headers] = await handler(req, decodeSegments(path.match(pattern)), url, claims);
      return send(res, status, body, JSON_TYPE, headers);
    } catch (error) {
      if (error instanceof Problem) return problem(res, error, path);
      if (error instanceof SyntaxError) return problem(res, new Problem(400, error.message), path);
      if (error instanceof UnknownState) return problem(res, new Problem(400, error.message), path);
      console.error(error);
      return problem(res, new Problem(500, "internal error"), path);
    }
  });
}

function main() {
  const { values } = parseArgs({
    options: {
      host: { type: "string", default: "127.0.0.1" },
      port: { type: "string", default: "8104" },
      db: { type: "string", default: "var/reviews.json" },
    },
  });
  let secret = process.env.ACCORD_JWT_SECRET;
  if (!secret) {
    secret = "dev-only-secret";
    console.error("reviews: ACCORD_JWT_SECRET is not set; using the development secret");
  }
  const withStates = process.env.ACCORD_PROVIDER_STATES === "1";
  const server = createServer({ dbPath: values.db, secret, withStates });
  server.listen(Number(values.port), values.host, () => {
    console.error(`reviews on http://${values.host}:${values.port} (store: ${values.db})`);
  });
  const stop = () => server.close(() => process.exit(0));
  process.on("SIGTERM", stop);
  process.on("SIGINT", stop);
}

if (import.meta.url === `file://${process.argv[1]}`) main();
