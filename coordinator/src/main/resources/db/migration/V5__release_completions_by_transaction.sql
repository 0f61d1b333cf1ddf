-- POST /releases names the previous release: the newest COMPLETED one below the version (Releases#start). It
-- reads the completions since its last read, as it reads the starts (V4): by the id of the transaction that
-- wrote them. This partial index holds only ReleaseCompleted events, one row per completed release, so the
-- read stays small however long the log grows, and appends of every other event do not touch it.
create index release_events_completions_tx on release_events (tx_id)
    where type = 'dev.releasetrain.ReleaseCompleted.v1';
