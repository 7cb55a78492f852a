-- PostgreSQL counterpart of ../0100_processes.sql: the running bot processes and their
-- leases, and one claim row per delivered update.
CREATE TABLE bot_processes (
    owner TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
);

CREATE TABLE handled_updates (
    update_key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    done_at TEXT,
    reply TEXT
);
CREATE INDEX handled_updates_by_age ON handled_updates (claimed_at);
