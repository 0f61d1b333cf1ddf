-- Secret calendar feed URLs (GET /calendar/feeds/<secret>.ics): calendar apps cannot send a bearer token, so
-- each person may hold one URL whose last segment is a secret. Only the secret's SHA-256 is kept: the table
-- (a backup, a replica, a query log) never holds a working URL. One row per person; issuing a new URL
-- replaces the old one, revoking deletes it.
create table calendar_feed_urls (
    person         text        primary key,
    secret_sha256  bytea       not null,
    issued_at      timestamptz not null default now(),
    constraint calendar_feed_urls_secret unique (secret_sha256)
);
