-- The office TV (issue 17): a unit's live board behind an unguessable link.
--
-- Only a SHA-256 of each link's token is kept: a copy of the database opens no screen.
-- `hint` is the token's first characters, so a lead can tell their links apart.
CREATE TABLE screens (
    id INTEGER PRIMARY KEY,
    unit_id INTEGER NOT NULL REFERENCES units(id),
    token_hash TEXT NOT NULL UNIQUE,
    hint TEXT NOT NULL,
    created_by INTEGER NOT NULL REFERENCES members(id),
    created_at TEXT NOT NULL,
    revoked_by INTEGER REFERENCES members(id),
    revoked_at TEXT
);
CREATE INDEX screens_unit ON screens(unit_id, id);

-- What changed since an open screen last looked, for every process that writes: one
-- counter for the database, and per unit the counter's value at its last change. A
-- screen's server reads the counter (one row) twice a second and, when it moved, which
-- units changed; entries from the console or another bot process show up that way.
CREATE TABLE change_counter (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    seq INTEGER NOT NULL
);
INSERT INTO change_counter (id, seq) VALUES (1, 0);

CREATE TABLE unit_changes (
    unit_id INTEGER PRIMARY KEY,
    seq INTEGER NOT NULL
) WITHOUT ROWID;

-- An entry counts on two boards: the unit it was logged in (unit boards) and its
-- member's unit now (people boards); both are marked.
CREATE TRIGGER unit_changes_on_entry AFTER INSERT ON entries
BEGIN
    UPDATE change_counter SET seq = seq + 1 WHERE id = 1;
    INSERT INTO unit_changes (unit_id, seq)
        SELECT NEW.unit_id, seq FROM change_counter WHERE id = 1
        UNION SELECT m.unit_id, c.seq FROM members m, change_counter c
            WHERE m.id = NEW.member_id AND c.id = 1
        ON CONFLICT (unit_id) DO UPDATE SET seq = excluded.seq;
END;

-- An undo, a rejection, a confirmation: the entry stops (or starts) counting.
CREATE TRIGGER unit_changes_on_entry_state AFTER UPDATE OF state ON entries
WHEN OLD.state IS NOT NEW.state
BEGIN
    UPDATE change_counter SET seq = seq + 1 WHERE id = 1;
    INSERT INTO unit_changes (unit_id, seq)
        SELECT NEW.unit_id, seq FROM change_counter WHERE id = 1
        UNION SELECT m.unit_id, c.seq FROM members m, change_counter c
            WHERE m.id = NEW.member_id AND c.id = 1
        ON CONFLICT (unit_id) DO UPDATE SET seq = excluded.seq;
END;

-- A revoked link closes its open pages: the counter moving makes servers look.
CREATE TRIGGER change_counter_on_screen_revoke AFTER UPDATE OF revoked_at ON screens
BEGIN
    UPDATE change_counter SET seq = seq + 1 WHERE id = 1;
END;
