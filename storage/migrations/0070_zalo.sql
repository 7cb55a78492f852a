-- Zalo as a third chat channel (issue 16).

-- A Zalo account linked to a staff member: one account per member, one member per account.
CREATE TABLE zalo_links (
    zalo_user_id TEXT PRIMARY KEY,
    member_id INTEGER NOT NULL UNIQUE REFERENCES members(id),
    linked_at TEXT NOT NULL
);

-- One-time link codes, one live code per phone. Only a salted scrypt hash of the code is
-- kept. `zalo_user_id` is the account that last claimed the number (it may redeem the
-- code); `issued_by` is the lead who issued it by hand, NULL when it went out by SMS.
CREATE TABLE link_codes (
    phone TEXT PRIMARY KEY,
    code_hash TEXT NOT NULL,
    salt TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    issued_by INTEGER REFERENCES members(id),
    zalo_user_id TEXT
);

-- Wrong codes typed for a phone: five block the phone for an hour.
CREATE TABLE link_failures (
    phone TEXT PRIMARY KEY,
    wrong INTEGER NOT NULL CHECK (wrong >= 0),
    blocked_until TEXT
) WITHOUT ROWID;

-- Buttons shown on Zalo as a numbered list; the number typed back runs the button's
-- command. `answered_key` is the message that answered it: a repeat of that message
-- runs the same command again (and its own dedupe makes that harmless). Questions the
-- commands ask (yes/no) stay in `pending_choices`; their buttons are listed here.
CREATE TABLE zalo_choices (
    member_id INTEGER PRIMARY KEY REFERENCES members(id),
    commands TEXT NOT NULL,
    offered_at TEXT NOT NULL,
    answered_key TEXT
) WITHOUT ROWID;

-- Pictures and files behind expiring links (`/media/<token>`); the token is signed,
-- its id is the key here. A single-use link is spent by the first download.
CREATE TABLE media_links (
    id TEXT PRIMARY KEY,
    filename TEXT NOT NULL,
    content BLOB NOT NULL,
    expires_at TEXT NOT NULL,
    single_use INTEGER NOT NULL CHECK (single_use IN (0, 1)),
    used_at TEXT
);

-- A Zalo group bound to a unit with /nhom (Zalo group ids are text, Telegram's integers).
CREATE TABLE zalo_groups (
    unit_id INTEGER PRIMARY KEY REFERENCES units(id),
    chat_id TEXT NOT NULL
);
