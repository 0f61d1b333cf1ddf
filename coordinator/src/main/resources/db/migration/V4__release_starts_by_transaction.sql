-- POST /releases reads the releases started since its last read (Releases#knownVersions). Positions are
-- taken when a row is inserted, not when it commits, so reading on from the last position seen could
-- miss a start committed late below it: that read went back over every start of the last ten seconds,
-- 200 rows at one release every 50 ms, 1,500 under load. Each row now records the transaction that wrote
-- it; every transaction below a snapshot's xmin has ended, so a read goes on from the xmin it saw
-- (ReleaseLog#releasesStartedSince). Rows written before this migration have none: the first read after
-- a start-up reads every release anyway.
alter table release_events add column tx_id xid8;
alter table release_events alter column tx_id set default pg_current_xact_id();
create index release_events_starts_tx on release_events (tx_id) where seq = 1;
