-- The release log: one stream per release, the single source of truth.
-- (release_id, seq) guards every append (optimistic concurrency); event_id dedupes redelivered results.
create table release_events (
    position     bigserial   primary key,          -- global order, for rebuilding projections
    release_id   text        not null,
    seq          bigint      not null,
    event_id     uuid        not null,
    type         text        not null,             -- CloudEvents type, e.g. dev.releasetrain.StepRequested.v1
    source       text        not null,             -- CloudEvents source of the producer
    payload      jsonb       not null,             -- the event record
    occurred_at  timestamptz not null,             -- CloudEvents time (when the producer saw it happen)
    recorded_at  timestamptz not null default clock_timestamp(),
    constraint release_events_stream unique (release_id, seq),
    constraint release_events_event_id unique (event_id)
);

create index release_events_type on release_events (type, release_id);
