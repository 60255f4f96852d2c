-- See migrations/postgres/0006_webhook_deliveries.sql for the meaning of each column.
CREATE TABLE webhook_deliveries (
    delivery_id TEXT PRIMARY KEY,
    source      TEXT NOT NULL,
    received_at TIMESTAMP NOT NULL
);
CREATE INDEX webhook_deliveries_received_at ON webhook_deliveries (received_at);
