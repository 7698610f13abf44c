-- The trace context of the unit of work that wrote each row (W3C Trace Context, where the
-- service traces), published with it as the CloudEvents `ce_traceparent` and `ce_tracestate`
-- headers; nullable, so adding them rewrites no row.
ALTER TABLE outbox ADD COLUMN traceparent text, ADD COLUMN tracestate text;
