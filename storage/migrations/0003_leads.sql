-- Lead tools (issue 4): the audit log of every change a lead or admin makes.
--
-- `unit_id` is the unit the change concerns (the member's unit for a member's quota or
-- entry), so a lead lists the changes inside their subtree with one lineage match.
-- `before`/`after` are short display texts (a quota value, an entry state); NULL means
-- "there was none" / "removed".
CREATE TABLE IF NOT EXISTS audit_log (
    id INTEGER PRIMARY KEY,
    at TEXT NOT NULL,
    actor_id INTEGER NOT NULL REFERENCES members(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    action TEXT NOT NULL,
    subject TEXT NOT NULL,
    before TEXT,
    after TEXT
);
CREATE INDEX IF NOT EXISTS audit_log_unit ON audit_log(unit_id, id);

-- Review queues read the reported entries of a subtree, newest first.
CREATE INDEX IF NOT EXISTS entries_state_unit ON entries(state, unit_id, id);
