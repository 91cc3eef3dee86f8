-- Identity administration (issue #4). Times are unix milliseconds.
-- Flags are BIGINT 0/1 in both backends (one decoding path through sqlx Any).
CREATE TABLE realms (
    name        TEXT PRIMARY KEY NOT NULL,
    created_at  BIGINT NOT NULL
);

CREATE TABLE identities (
    id              TEXT PRIMARY KEY NOT NULL,
    realm           TEXT NOT NULL REFERENCES realms(name),
    email           TEXT NOT NULL,
    email_verified  BIGINT NOT NULL DEFAULT 0,
    first_name      TEXT,
    last_name       TEXT,
    language        TEXT NOT NULL,
    mfa_enabled     BIGINT NOT NULL DEFAULT 0,
    mfa_required    BIGINT NOT NULL DEFAULT 0,
    password_hash   TEXT,
    created_at      BIGINT NOT NULL,
    updated_at      BIGINT NOT NULL,
    UNIQUE (realm, email)
);

CREATE TABLE profile_links (
    realm        TEXT NOT NULL REFERENCES realms(name),
    profile_id   TEXT NOT NULL,
    identity_id  TEXT NOT NULL UNIQUE REFERENCES identities(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    PRIMARY KEY (realm, profile_id)
);

-- Filled by the embedded issuer (#5); logout-all revokes them.
CREATE TABLE sessions (
    id           TEXT PRIMARY KEY NOT NULL,
    realm        TEXT NOT NULL REFERENCES realms(name),
    identity_id  TEXT NOT NULL REFERENCES identities(id) ON DELETE CASCADE,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
CREATE INDEX sessions_identity ON sessions (identity_id);

CREATE TABLE sso_domains (
    domain      TEXT PRIMARY KEY NOT NULL,
    realm       TEXT NOT NULL REFERENCES realms(name),
    idp_hint    TEXT NOT NULL,
    enabled     BIGINT NOT NULL,
    updated_at  BIGINT NOT NULL
);

-- The outbox: written in the transaction of the change it records.
CREATE TABLE events (
    id           BIGINT GENERATED ALWAYS AS IDENTITY PRIMARY KEY,
    realm        TEXT NOT NULL,
    kind         TEXT NOT NULL,
    identity_id  TEXT,
    data         TEXT NOT NULL,
    created_at   BIGINT NOT NULL
);

CREATE TABLE login_failures (
    realm   TEXT NOT NULL,
    email   TEXT NOT NULL,
    at      BIGINT NOT NULL
);
CREATE INDEX login_failures_email ON login_failures (realm, email, at);

CREATE TABLE api_keys (
    id           TEXT PRIMARY KEY NOT NULL,
    name         TEXT NOT NULL,
    secret_hash  TEXT NOT NULL,
    realms       TEXT NOT NULL,
    scopes       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    revoked_at   BIGINT
);
