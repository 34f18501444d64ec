// notifications <- orders: a pact-js (V4) message consumer test of a Python producer.
//
// Each message goes to notifications' real handler (noticeFor). The pact is written to
// $ACCORD_PACTS_DIR when `accord pacts` runs this suite, else into contracts/pacts/;
// `accord verify` has orders build each message (its outbox code) through the Pact FFI.

import assert from "node:assert/strict";
import path from "node:path";
import { test } from "node:test";
import { fileURLToPath } from "node:url";

import pact from "@pact-foundation/pact";

import { noticeFor } from "../src/notifications.js";

const { PactV4, MatchersV3: m } = pact;
const HERE = path.dirname(fileURLToPath(import.meta.url));
const DIR = process.env.ACCORD_PACTS_DIR ?? path.join(HERE, "..", "..", "..", "contracts", "pacts");
const ORDER = "ord_N7tq2Wx9Lp4K";
const EVENT_ID = /^evt_[A-Za-z0-9]{8,32}$/;

function orders() {
  return new PactV4({ consumer: "notifications", provider: "orders", dir: DIR, logLevel: "warn" });
}

function event(kind, extra = {}) {
  return {
    event_id: m.regex(EVENT_ID, "evt_Q8rT7Hx2Kq9LmN4p"),
    type: `order.${kind}`,
    // RFC 3339 as the contract says (format: date-time); orders writes milliseconds, and a
    // datetime("yyyy-MM-dd'T'HH:mm:ssX") matcher refused them: verification caught it
    occurred_at: m.regex(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?(Z|[+-]\d\d:\d\d)$/, "2025-04-02T11:00:04.250Z"),
    order_id: ORDER,
    customer_id: m.regex(/^cus_[A-Za-z0-9]{8,32}$/, "cus_9dLw3Rt7Yb2e"),
    currency: m.regex(/^[A-Z]{3}$/, "EUR"),
    total: m.integer(2598),
    lines: m.eachLike({ product_id: m.string("prd_7Hx2Kq9LmN4p"), quantity: m.integer(2) }, 1),
    ...extra,
  };
}

function metadata(kind) {
  return {
    subject: m.regex(/^orders\.ord_[A-Za-z0-9]{8,32}\.[a-z]+$/, `orders.${ORDER}.${kind}`),
    "Nats-Msg-Id": m.regex(EVENT_ID, "evt_Q8rT7Hx2Kq9LmN4p"),
    contentType: "application/json",
  };
}

test("a cancelled order becomes a refund notice", async () => {
  await orders()
    .addAsynchronousInteraction()
    .given(`order ${ORDER} was cancelled`)
    .expectsToReceive("an order cancelled event", (message) => {
      message.withJSONContent(event("cancelled")).withMetadata(metadata("cancelled"));
    })
    .executeTest(async (message) => {
      const notice = noticeFor(message.contents.content, message.metadata);
      assert.equal(notice.to, "cus_9dLw3Rt7Yb2e");
      assert.equal(notice.title, `Order ${ORDER} cancelled`);
      assert.match(notice.text, /2 item\(s\) was cancelled; 25\.98 EUR is refunded/);
    });
});

test("a failed order becomes a notice with its reason", async () => {
  await orders()
    .addAsynchronousInteraction()
    // Pact's provider-state parameters: the state names the order and the reason again
    .given(`order ${ORDER} failed for payment_declined`, {
      order_id: ORDER,
      reason: "payment_declined",
    })
    .expectsToReceive("an order failed event", (message) => {
      message
        .withJSONContent(event("failed", { reason: m.regex(/^[a-z_]+$/, "payment_declined") }))
        .withMetadata(metadata("failed"));
    })
    .executeTest(async (message) => {
      const notice = noticeFor(message.contents.content, message.metadata);
      assert.equal(notice.title, `Order ${ORDER} not placed`);
      assert.match(notice.text, /could not be placed: the payment was declined/);
    });
});
