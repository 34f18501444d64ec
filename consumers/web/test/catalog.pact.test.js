// web -> catalog: a pact-js (V4) consumer test of a Python service.
//
// The pact is written to $ACCORD_PACTS_DIR when `accord pacts` runs this suite, else
// into the workspace's contracts/pacts/; `accord verify` verifies it against catalog
// together with the Python consumers' pacts.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import pact from "@pact-foundation/pact";

import { CatalogClient } from "../src/catalog.js";

const { PactV4, MatchersV3: m } = pact;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIR = process.env.ACCORD_PACTS_DIR ?? path.join(HERE, "..", "..", "..", "contracts", "pacts");
const PRODUCT = "prd_7Hx2Kq9LmN4p";
const UNKNOWN = "prd_Zz00Zz00Zz00";
const TOKEN = "test-token";
const BEARER = m.regex(/^Bearer [A-Za-z0-9._~+\/=-]+$/, `Bearer ${TOKEN}`);

function catalog() {
  return new PactV4({ consumer: "web", provider: "catalog", dir: DIR, logLevel: "warn" });
}

test("a product page shows the product's name, price and availability", async () => {
  await catalog()
    .addInteraction()
    .given(`product ${PRODUCT} exists`)
    .uponReceiving("a request for a product page")
    .withRequest("GET", `/products/${PRODUCT}`, (request) => {
      request.headers({ Authorization: BEARER, Accept: "application/json" });
    })
    .willRespondWith(200, (response) => {
      response.headers({ "Content-Type": "application/json" });
      response.jsonBody({
        id: PRODUCT,
        name: m.string("Espresso cup"),
        price: { amount: m.integer(1299), currency: m.regex(/^(EUR|USD|GBP)$/, "EUR") },
        status: m.regex(/^(active|archived)$/, "active"),
        in_stock: m.boolean(true),
      });
    })
    .executeTest(async (server) => {
      const page = await new CatalogClient(server.url, TOKEN).productPage(PRODUCT);
      assert.deepEqual(page, { id: PRODUCT, title: "Espresso cup", price: "12.99 EUR", available: true });
    });
});

test("a product catalog does not know has no page", async () => {
  await catalog()
    .addInteraction()
    .given(`product ${UNKNOWN} does not exist`)
    .uponReceiving("a request for the page of an unknown product")
    .withRequest("GET", `/products/${UNKNOWN}`, (request) => {
      request.headers({ Authorization: BEARER, Accept: "application/json" });
    })
    .willRespondWith(404, (response) => {
      response.headers({ "Content-Type": "application/problem+json" });
      response.jsonBody({ status: 404, title: m.string("Not Found") });
    })
    .executeTest(async (server) => {
      assert.equal(await new CatalogClient(server.url, TOKEN).productPage(UNKNOWN), null);
    });
});
