-- The trace context of each event (docs/observability.md): the W3C traceparent of the release's trace the event
-- belongs to, put on the Kafka record as the CloudEvents header ce_traceparent by the relay and the fast path. The
-- coordinator sets it on the events it appends while tracing is on; a result keeps the one its worker sent. Null for
-- events appended with tracing off and for rows written before this column: they are published without the header.
alter table release_events add column trace_parent text;
