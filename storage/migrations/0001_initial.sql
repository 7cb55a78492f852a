-- Units form a tree; `lineage` lists ids from the root ('/1/4/9/') so a subtree is one
-- indexed prefix match.
CREATE TABLE units (
    id INTEGER PRIMARY KEY,
    parent_id INTEGER REFERENCES units(id),
    path TEXT NOT NULL UNIQUE,
    lineage TEXT NOT NULL,
    group_chat_id INTEGER UNIQUE
);
CREATE INDEX units_lineage ON units(lineage);

CREATE TABLE members (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    name TEXT NOT NULL,
    phone TEXT NOT NULL UNIQUE,
    role TEXT NOT NULL CHECK (role IN ('officer', 'agent', 'lead', 'admin')),
    language TEXT NOT NULL DEFAULT 'vi',
    telegram_user_id INTEGER UNIQUE
);
CREATE INDEX members_unit ON members(unit_id);

CREATE TABLE quotas (
    target_kind TEXT NOT NULL CHECK (target_kind IN ('member', 'unit')),
    target_id INTEGER NOT NULL,
    program TEXT NOT NULL,
    period_key TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (target_kind, target_id, program, period_key)
);

-- `unit_id` is the member's unit when the entry was logged: a transfer does not carry
-- past results to the new unit. `source_key` is the channel's message id, so the same
-- message delivered twice stores one entry.
CREATE TABLE entries (
    id INTEGER PRIMARY KEY,
    member_id INTEGER NOT NULL REFERENCES members(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    program TEXT NOT NULL,
    day TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 1),
    channel TEXT NOT NULL,
    state TEXT NOT NULL DEFAULT 'reported'
        CHECK (state IN ('reported', 'confirmed', 'rejected', 'voided')),
    created_at TEXT NOT NULL,
    source_key TEXT UNIQUE,
    state_changed_at TEXT,
    state_reason TEXT
);
CREATE INDEX entries_member_day ON entries(member_id, day, program, state, count);
CREATE INDEX entries_unit_day ON entries(unit_id, day);

-- Inbound messages whose effect is not idempotent by itself (an undo): the first
-- delivery records what it did, a repeat finds it here and changes nothing.
CREATE TABLE inbound_messages (
    key TEXT PRIMARY KEY,
    received_at TEXT NOT NULL,
    entry_id INTEGER REFERENCES entries(id)
);
