-- Users, their roles, browser sessions and machine API tokens.
-- Passwords are Argon2id strings (libsodium crypto_pwhash_str); session ids
-- and API tokens are stored only as SHA-256 hashes.
CREATE TABLE users (
    id {{ID}},
    username TEXT NOT NULL UNIQUE,
    display_name TEXT NOT NULL DEFAULT '',
    role TEXT NOT NULL CHECK (role IN ('officer','second_line','supervisor','analyst','liaison','admin')),
    password_hash TEXT NOT NULL,
    disabled INTEGER NOT NULL DEFAULT 0,
    failed_logins INTEGER NOT NULL DEFAULT 0,
    locked_until_ms {{BIGINT}} NOT NULL DEFAULT 0,
    created_ms {{BIGINT}} NOT NULL,
    updated_ms {{BIGINT}} NOT NULL
);

CREATE TABLE sessions (
    id_hash TEXT PRIMARY KEY,
    user_id {{BIGINT}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    csrf_token TEXT NOT NULL,
    created_ms {{BIGINT}} NOT NULL,
    expires_ms {{BIGINT}} NOT NULL,
    idle_expires_ms {{BIGINT}} NOT NULL,
    address TEXT NOT NULL DEFAULT ''
);
CREATE INDEX sessions_user ON sessions(user_id);

CREATE TABLE api_tokens (
    id {{ID}},
    user_id {{BIGINT}} NOT NULL REFERENCES users(id) ON DELETE CASCADE,
    name TEXT NOT NULL,
    token_hash TEXT NOT NULL UNIQUE,
    created_ms {{BIGINT}} NOT NULL,
    revoked_ms {{BIGINT}}
);
