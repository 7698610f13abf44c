"""Prometheus metrics. Counters are kept as events flow; the consumer lag and the outbox
backlog are read when /metrics is scraped."""

from prometheus_client import Counter, Gauge

EVENTS = Counter(
    "huisacademie_consumer_events",
    "Records a consumer finished with, by outcome (applied, duplicate, ignored, dead_lettered)",
    ["consumer", "outcome"],
)
RETRIES = Counter(
    "huisacademie_consumer_retries",
    "Records read again after a failure, by kind (outage, transient, contention)",
    ["consumer", "failure"],
)
PUBLISHED = Counter("huisacademie_outbox_published", "Outbox rows published to Kafka")
LAG = Gauge(
    "huisacademie_consumer_lag",
    "Records in a partition after the consumer's committed offset",
    ["consumer", "topic", "partition"],
)
OUTBOX = Gauge("huisacademie_outbox_rows", "Outbox rows not yet published, by state", ["state"])
READY = Gauge("huisacademie_ready", "1 when the service can take requests (its database answers)")
ASSIGNED = Gauge(
    "huisacademie_consumer_assigned_partitions",
    "Partitions this instance's consumer holds in its group (0: waiting for partitions)",
    ["consumer"],
)
