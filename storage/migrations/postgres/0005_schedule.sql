-- PostgreSQL counterpart of ../0005_schedule.sql (issue 6): each is sent exactly once.
--
-- An occurrence is one firing of one job for one period: the weekly summary of
-- 2026-W47, the reminder of Friday 2026-11-27. It is written together with all of its
-- deliveries (one per group or member) in one transaction, before anything is sent, so
-- after a crash it either exists whole or not at all, and a restart finds what is left.
CREATE TABLE schedule_occurrences (
    kind TEXT NOT NULL,
    period_key TEXT NOT NULL,
    fire_at TEXT NOT NULL,
    state TEXT NOT NULL CHECK (state IN ('planned', 'done')),
    planned_at TEXT NOT NULL,
    done_at TEXT,
    PRIMARY KEY (kind, period_key)
);

-- One message to one target. `planned` waits to be sent (again, after `retry_at`);
-- `sending` is written and committed right before the network call; then `sent`,
-- `failed` (refused for good, or out of attempts) or `skipped` (nowhere to send). A
-- delivery still `sending` when the bot starts was cut off mid-call: Telegram may have
-- shown it, so it becomes `unknown` and is never sent again (never twice beats once).
CREATE TABLE schedule_deliveries (
    kind TEXT NOT NULL,
    period_key TEXT NOT NULL,
    target_kind TEXT NOT NULL CHECK (target_kind IN ('unit', 'member')),
    target_id BIGINT NOT NULL,
    state TEXT NOT NULL
        CHECK (state IN ('planned', 'sending', 'sent', 'failed', 'skipped', 'unknown')),
    attempts INTEGER NOT NULL DEFAULT 0,
    retry_at TEXT,
    updated_at TEXT NOT NULL,
    channel TEXT,
    last_error TEXT,
    PRIMARY KEY (kind, period_key, target_kind, target_id),
    FOREIGN KEY (kind, period_key) REFERENCES schedule_occurrences (kind, period_key)
);
CREATE INDEX schedule_deliveries_open ON schedule_deliveries (state, kind, period_key);
