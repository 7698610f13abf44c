-- A row Kafka refuses for good (too large, say) is parked with the reason instead of
-- blocking every event behind it.
ALTER TABLE outbox ADD COLUMN parked_at timestamptz, ADD COLUMN park_reason text;
DROP INDEX outbox_unpublished;
CREATE INDEX outbox_pending ON outbox (seq) WHERE published_at IS NULL AND parked_at IS NULL;
