// The reviews service in-process on a free port: tokens, contract checks, storage, states.

import assert from "node:assert/strict";
import { createHmac } from "node:crypto";
import { mkdtempSync, readFileSync } from "node:fs";
import { tmpdir } from "node:os";
import path from "node:path";
import { after, before, test } from "node:test";

import { createServer } from "../server.js";

const SECRET = "test-secret";
const PRODUCT = "prd_7Hx2Kq9LmN4p";
const db = path.join(mkdtempSync(path.join(tmpdir(), "reviews-")), "reviews.json");
let server;
let base;

function token(claims, secret = SECRET, alg = "HS256") {
  const enc = (o) => Buffer.from(JSON.stringify(o)).toString("base64url");
  const head = `${enc({ alg, typ: "JWT" })}.${enc(claims)}`;
  const signature = createHmac("sha256", secret).update(head).digest("base64url");
  return `${head}.${signature}`;
}

const exp = () => Math.floor(Date.now() / 1000) + 300;
const writer = token({ sub: "ana", scope: "reviews:read reviews:write", exp: exp() });

function call(method, url, { auth = writer, body, type = "application/json" } = {}) {
  const headers = { ...(auth ? { Authorization: `Bearer ${auth}` } : {}), ...(body !== undefined ? { "Content-Type": type } : {}) };
  return fetch(base + url, { method, headers, body: body === undefined ? undefined : typeof body === "string" ? body : JSON.stringify(body) });
}

before(async () => {
  server = createServer({ dbPath: db, secret: SECRET, withStates: true });
  await new Promise((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${server.address().port}`;
});

after(() => server.close());

test("a review is stored in the JSON file and counted", async () => {
  const created = await call("POST", `/products/${PRODUCT}/reviews`, { body: { rating: 4, title: "Good" } });
  assert.equal(created.status, 201);
  const review = await created.json();
  assert.equal(created.headers.get("location"), `/reviews/${review.id}`);
  assert.equal(review.author, "ana");
  assert.deepEqual(JSON.parse(readFileSync(db, "utf-8")).reviews.map((r) => r.id), [review.id]);
  const page = await (await call("GET", `/products/${PRODUCT}/reviews?limit=5`)).json();
  assert.equal(page.count, 1);
  assert.equal(page.average_rating, 4);
});

test("tokens: missing, unsigned, forged, expired and unscoped ones are refused", async () => {
  const url = `/products/${PRODUCT}/reviews`;
  const cases = [
    [null, 401],
    [token({ sub: "x", scope: "reviews:read", exp: exp() }, SECRET, "none").replace(/\.[^.]+$/, ".x"), 401],
    [token({ sub: "x", scope: "reviews:read", exp: exp() }, "another-secret"), 401],
    [token({ sub: "x", scope: "reviews:read", exp: 1000 }), 401],
    [token({ sub: "x", scope: "catalog:read", exp: exp() }), 403],
  ];
  for (const [auth, status] of cases) {
    const answer = await call("GET", url, { auth });
    assert.equal(answer.status, status, String(auth));
    assert.equal(answer.headers.get("content-type"), "application/problem+json");
  }
});

test("requests are checked against the contract", async () => {
  const url = `/products/${PRODUCT}/reviews`;
  assert.equal((await call("POST", url, { body: { rating: 6, title: "x" } })).status, 400);
  assert.equal((await call("POST", url, { body: { rating: 5, title: "x", extra: 1 } })).status, 400);
  assert.equal((await call("POST", url, { body: "{not json" })).status, 400);
  assert.equal((await call("POST", url, { body: "rating=5", type: "text/plain" })).status, 415);
  assert.equal((await call("GET", "/products/not-an-id/reviews")).status, 400);
  assert.equal((await call("GET", `${url}?limit=0`)).status, 400);
  const wrongMethod = await call("DELETE", url);
  assert.equal(wrongMethod.status, 405);
  assert.equal(wrongMethod.headers.get("allow"), "GET, POST");
  assert.equal((await call("GET", "/reviews/rev_Zz00Zz00Zz00")).status, 404);
});

test("provider states follow Pact's {state, params, action}", async () => {
  const set = (body) => fetch(`${base}/_accord/provider-states`, { method: "POST", headers: { "Content-Type": "application/json" }, body: JSON.stringify(body) });
  assert.equal((await set({ state: "product prd_Aa11Aa11Aa11 has reviews", params: {}, action: "setup" })).status, 200);
  const page = await (await call("GET", "/products/prd_Aa11Aa11Aa11/reviews")).json();
  assert.equal(page.count, 2);
  assert.equal((await set({ state: "product prd_Aa11Aa11Aa11 has reviews", action: "teardown" })).status, 200);
  const unknown = await set({ state: "the moon is full", params: {}, action: "setup" });
  assert.equal(unknown.status, 400);
  assert.match((await unknown.json()).detail, /no provider state "the moon is full"/);
});
