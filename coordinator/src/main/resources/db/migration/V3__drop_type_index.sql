-- (type, release_id) served the reads of ReleaseStarted events, which the partial index of first events
-- (V2) serves now; every append still paid for it: a wide key (the CloudEvents type and the release id)
-- maintained for every event, a fifth of the table's index work on the hot path (docs/benchmarks.md).
drop index if exists release_events_type;
