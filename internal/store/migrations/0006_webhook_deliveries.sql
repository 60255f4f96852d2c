-- Webhook deliveries accepted from the bureau and the courier (package
-- webhook). A delivery ID is recorded once its event was delivered, so a
-- captured request replayed within the signature's time window is refused.
-- Rows older than that window protect nothing and are pruned.
CREATE TABLE webhook_deliveries (
    delivery_id TEXT PRIMARY KEY,
    source      TEXT NOT NULL,          -- 'bureau' or 'courier'
    received_at TIMESTAMPTZ NOT NULL
);
CREATE INDEX webhook_deliveries_received_at ON webhook_deliveries (received_at);
