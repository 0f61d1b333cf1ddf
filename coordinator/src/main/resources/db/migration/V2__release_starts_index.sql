-- POST /releases reads the releases started since the last position it saw (Releases#knownVersions):
-- without this index that read scanned every event of the last seconds (tens of thousands under load)
-- or every ReleaseStarted ever; the partial index holds only the first event of each release.
create index release_events_starts on release_events (position) where seq = 1;
