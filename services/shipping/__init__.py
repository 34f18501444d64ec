"""shipping: consumes orders' events from NATS JetStream and keeps a shipment per order."""
