-- The embedded realm issuer (issue #5). Times are unix milliseconds.

-- Browser sessions carry a cookie; only its SHA-256 is stored. Sessions made
-- by token exchange have none. Ending a session (logout-all, logout, a reused
-- code or refresh token) sets revoked_at; every code and refresh token of a
-- revoked or expired session is dead.
ALTER TABLE sessions ADD COLUMN cookie_hash TEXT;
ALTER TABLE sessions ADD COLUMN auth_time BIGINT NOT NULL DEFAULT 0;
CREATE UNIQUE INDEX sessions_cookie ON sessions (cookie_hash);

-- Signing keys per realm. Private keys are PKCS#8 (base64): protect the database.
-- The active key signs; a retired key stays published until retire_after.
CREATE TABLE signing_keys (
    kid            TEXT PRIMARY KEY NOT NULL,
    realm          TEXT NOT NULL REFERENCES realms(name),
    alg            TEXT NOT NULL,
    private_pkcs8  TEXT NOT NULL,
    public_jwk     TEXT NOT NULL,
    created_at     BIGINT NOT NULL,
    active         BIGINT NOT NULL,
    retire_after   BIGINT
);
CREATE INDEX signing_keys_realm ON signing_keys (realm, active);

-- OAuth clients per realm; `config` is JSON (redirect URIs, grants, audiences, scopes, …).
CREATE TABLE clients (
    realm        TEXT NOT NULL REFERENCES realms(name),
    client_id    TEXT NOT NULL,
    secret_hash  TEXT,
    config       TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    updated_at   BIGINT NOT NULL,
    PRIMARY KEY (realm, client_id)
);

-- Authorization codes: only SHA-256(code) is stored; single use.
CREATE TABLE auth_codes (
    code_hash       TEXT PRIMARY KEY NOT NULL,
    realm           TEXT NOT NULL,
    client_id       TEXT NOT NULL,
    session_id      TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    redirect_uri    TEXT NOT NULL,
    code_challenge  TEXT NOT NULL,
    scope           TEXT NOT NULL,
    nonce           TEXT,
    created_at      BIGINT NOT NULL,
    expires_at      BIGINT NOT NULL,
    used_at         BIGINT
);

-- Refresh tokens: opaque, only SHA-256 stored; rotated on use.
CREATE TABLE refresh_tokens (
    token_hash   TEXT PRIMARY KEY NOT NULL,
    session_id   TEXT NOT NULL REFERENCES sessions(id) ON DELETE CASCADE,
    realm        TEXT NOT NULL,
    client_id    TEXT NOT NULL,
    scope        TEXT NOT NULL,
    created_at   BIGINT NOT NULL,
    expires_at   BIGINT NOT NULL,
    rotated_at   BIGINT,
    revoked_at   BIGINT
);
CREATE INDEX refresh_tokens_session ON refresh_tokens (session_id);
