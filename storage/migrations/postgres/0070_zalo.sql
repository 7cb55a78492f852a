-- PostgreSQL counterpart of ../0070_zalo.sql (issue 16): Zalo links, one-time link codes,
-- numbered choices, expiring media links and Zalo groups. The comments there say why.

CREATE TABLE zalo_links (
    zalo_user_id TEXT PRIMARY KEY,
    member_id BIGINT NOT NULL UNIQUE REFERENCES members(id),
    linked_at TEXT NOT NULL
);

CREATE TABLE link_codes (
    phone TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    salt TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    issued_by BIGINT REFERENCES members(id),
    zalo_user_id TEXT
);

CREATE TABLE link_failures (
    phone TEXT PRIMARY KEY,
    wrong INTEGER NOT NULL CHECK (wrong >= 0),
    blocked_until TEXT
);

CREATE TABLE zalo_choices (
    member_id BIGINT PRIMARY KEY REFERENCES members(id),
    commands TEXT NOT NULL,
    offered_at TEXT NOT NULL,
    answered_key TEXT
);

CREATE TABLE media_links (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    content BYTEA NOT NULL,
    expires_at TEXT NOT NULL,
    single_use INTEGER NOT NULL CHECK (single_use IN (0, 1)),
    used_at TEXT
);

CREATE TABLE zalo_groups (
    unit_id BIGINT PRIMARY KEY REFERENCES units(id),
    chat_id TEXT NOT NULL
);
