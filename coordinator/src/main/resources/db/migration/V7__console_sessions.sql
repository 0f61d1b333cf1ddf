-- The web console's sessions: a bearer token exchanged at sign-in (POST /session) for a session cookie.
-- Only the SHA-256 of the cookie's value is stored, so the table holds no working credential. A session of a
-- static token keeps that token's digest and takes its holder and roles from the configured tokens at every
-- request (a token removed from the configuration ends its sessions); an OIDC session keeps the name and roles
-- the identity provider gave and ends no later than its token did.
create table console_sessions (
    id_sha256     bytea       primary key,
    person        text        not null,
    roles         text        not null,           -- comma-separated, as at sign-in (OIDC sessions)
    token_sha256  bytea,                          -- static token sessions: the digest of the token exchanged
    csrf_token    text        not null,           -- sent back in X-CSRF-Token by the console on every change
    created_at    timestamptz not null default now(),
    expires_at    timestamptz not null
);

create index console_sessions_expiry on console_sessions (expires_at);
