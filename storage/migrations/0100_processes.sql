-- More than one bot process on one database (issue 15).
--
-- Each running process (named `host:pid:start`, scheduling.owner) writes here when it
-- starts and every few seconds after: a process on another host whose `seen_at` is older
-- than the lease is gone, so its half-done work (a claimed update, a scheduled message
-- cut off mid-send) may be taken over or called `unknown` by a live one.
CREATE TABLE bot_processes (
    owner TEXT PRIMARY KEY,
    started_at TEXT NOT NULL,
    seen_at TEXT NOT NULL
) WITHOUT ROWID;

-- One row per update a channel delivered (a Telegram update id, an SMS message id),
-- claimed by the process that handles it: a second delivery, to any process, finds the
-- row and does nothing again (an SMS gets the stored reply back). A claim whose owner
-- is gone before `done_at` is taken over. Rows older than two days are deleted.
CREATE TABLE handled_updates (
    update_key TEXT PRIMARY KEY,
    owner TEXT NOT NULL,
    claimed_at TEXT NOT NULL,
    done_at TEXT,
    reply TEXT
) WITHOUT ROWID;
CREATE INDEX handled_updates_by_age ON handled_updates (claimed_at);
