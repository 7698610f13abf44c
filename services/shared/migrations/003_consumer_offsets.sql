-- Where each consumer is in each partition it reads: the offset of the next record to
-- apply, written in the transaction of the effect with a compare-and-set (a consumer left
-- over from a rebalance, which believes an older offset, cannot move it), and sought to
-- when a partition is assigned. Kafka's committed offsets follow it, for monitoring only.
CREATE TABLE consumer_offsets (
    consumer    text        NOT NULL,
    topic       text        NOT NULL,
    partition   integer     NOT NULL,
    next_offset bigint      NOT NULL CHECK (next_offset >= 0),
    updated_at  timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (consumer, topic, partition)
);
