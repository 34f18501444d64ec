// The notice a customer gets when orders tells the shop an order did not go through.
//
// Orders publishes its events on NATS (subjects orders.<order id>.<kind>, JSON, the event
// id in the Nats-Msg-Id header: contracts/asyncapi/orders.yaml). Notifications reads the
// cancelled and failed ones; anything else is not its business.

const REASONS = {
  out_of_stock: "an item ran out of stock",
  payment_declined: "the payment was declined",
  payment_method_unusable: "the payment method could not be used",
  payment_interrupted: "the payment was interrupted",
};

function amount(total, currency) {
  return `${(total / 100).toFixed(2)} ${currency}`;
}

/**
 * The notice for one event, or null when the event is not one notifications sends for.
 * @param {string | Buffer | object} body the message's contents: JSON bytes off the wire,
 *   or already parsed (as Pact hands a JSON message over)
 * @param {Record<string, unknown>} metadata the message's headers (subject, Nats-Msg-Id)
 */
export function noticeFor(body, metadata) {
  const event =
    typeof body === "string" || Buffer.isBuffer(body) ? JSON.parse(body.toString("utf8")) : body;
  const subject = String(metadata.subject ?? "");
  if (!subject.startsWith(`orders.${event.order_id}.`)) {
    throw new Error(`event for ${event.order_id} arrived on ${subject}`);
  }
  const key = String(metadata["Nats-Msg-Id"] ?? event.event_id);
  const items = event.lines.reduce((sum, line) => sum + line.quantity, 0);
  if (event.type === "order.cancelled") {
    return {
      key,
      to: event.customer_id,
      title: `Order ${event.order_id} cancelled`,
      text: `Your order of ${items} item(s) was cancelled; ${amount(event.total, event.currency)} is refunded.`,
    };
  }
  if (event.type === "order.failed") {
    return {
      key,
      to: event.customer_id,
      title: `Order ${event.order_id} not placed`,
      text: `Your order of ${items} item(s) could not be placed: ${REASONS[event.reason] ?? event.reason}.`,
    };
  }
  return null;
}
