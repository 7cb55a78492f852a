-- Participants who stay (issue 14): paid-until dates, renewals, lapses, unit counts.
--
-- An entry's paid-until date: its day plus its term in calendar months, clamped to the
-- month's last day (31/01 + 1 month = 28/02). `tracker.renewals.paid_until` is the rule;
-- tests check this expression against it. A generated column, so every way a term is
-- set (the log, the term buttons, a collection record) gives the date without more code.
ALTER TABLE entries ADD COLUMN paid_until TEXT GENERATED ALWAYS AS (
    CASE WHEN term_months IS NULL THEN NULL ELSE min(
        date(day, '+' || term_months || ' months'),
        date(day, 'start of month', '+' || (term_months + 1) || ' months', '-1 day')
    ) END
) VIRTUAL;

-- A renewal: a known participant paid again, typed by hand (/giahan, member_id and
-- source_key set) or found in official collection records (collected_day set), or both
-- when the two are the same payment (counted once). `kind`: early (before the due date),
-- late (after it, within the grace), rejoin (after the grace: the participant had
-- lapsed on `due_was`). `paid_until` is computed by tracker.renewals.plan_renewal.
CREATE TABLE renewals (
    id INTEGER PRIMARY KEY,
    participant_hash TEXT NOT NULL,
    program TEXT NOT NULL,
    last3 TEXT NOT NULL,
    member_id INTEGER REFERENCES members(id),
    unit_id INTEGER NOT NULL REFERENCES units(id),
    day TEXT NOT NULL,
    term_months INTEGER NOT NULL CHECK (term_months >= 1),
    kind TEXT NOT NULL CHECK (kind IN ('early', 'late', 'rejoin')),
    due_was TEXT,
    paid_until TEXT NOT NULL,
    created_at TEXT NOT NULL,
    source_key TEXT UNIQUE,
    collected_day TEXT,
    collected_from TEXT
);
CREATE INDEX renewals_participant ON renewals(participant_hash, program, day);
CREATE UNIQUE INDEX renewals_collected ON renewals(participant_hash, program, collected_day)
    WHERE collected_day IS NOT NULL;
CREATE INDEX renewals_unit_day ON renewals(unit_id, day);
CREATE INDEX renewals_unit_due ON renewals(unit_id, due_was);

-- Where each known participant stands: the latest counting entry of the participant and
-- program (its logger owns the renewal) and the furthest paid-until date of that entry
-- and every renewal. The rule lives in this one view; the table keeps its rows current
-- through the triggers below, so the due list is an index range, not a scan.
CREATE VIEW participant_term_source AS
SELECT
    e.participant_hash, e.program, e.id AS entry_id, e.member_id, e.unit_id,
    e.participant_last3 AS last3,
    nullif(max(
        coalesce(e.paid_until, ''),
        coalesce((SELECT max(r.paid_until) FROM renewals r
                  WHERE r.participant_hash = e.participant_hash AND r.program = e.program), '')
    ), '') AS paid_until
FROM entries e
WHERE e.participant_hash IS NOT NULL
  AND e.id = (
    SELECT latest.id FROM entries latest
    WHERE latest.participant_hash = e.participant_hash AND latest.program = e.program
      AND latest.state IN ('reported', 'confirmed')
    ORDER BY latest.day DESC, latest.id DESC LIMIT 1
  );

CREATE TABLE participant_terms (
    participant_hash TEXT NOT NULL,
    program TEXT NOT NULL,
    entry_id INTEGER NOT NULL,
    member_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    last3 TEXT NOT NULL,
    paid_until TEXT,
    PRIMARY KEY (participant_hash, program)
);
CREATE INDEX participant_terms_member ON participant_terms(member_id, paid_until);
CREATE INDEX participant_terms_unit ON participant_terms(unit_id, paid_until);

INSERT INTO participant_terms SELECT * FROM participant_term_source;

CREATE TRIGGER participant_terms_logged AFTER INSERT ON entries
WHEN NEW.participant_hash IS NOT NULL
BEGIN
    DELETE FROM participant_terms
    WHERE participant_hash = NEW.participant_hash AND program = NEW.program;
    INSERT INTO participant_terms SELECT * FROM participant_term_source
    WHERE participant_hash = NEW.participant_hash AND program = NEW.program;
END;

CREATE TRIGGER participant_terms_changed AFTER UPDATE OF state, term_months, day ON entries
WHEN NEW.participant_hash IS NOT NULL
BEGIN
    DELETE FROM participant_terms
    WHERE participant_hash = NEW.participant_hash AND program = NEW.program;
    INSERT INTO participant_terms SELECT * FROM participant_term_source
    WHERE participant_hash = NEW.participant_hash AND program = NEW.program;
END;

CREATE TRIGGER participant_terms_renewed AFTER INSERT ON renewals
BEGIN
    DELETE FROM participant_terms
    WHERE participant_hash = NEW.participant_hash AND program = NEW.program;
    INSERT INTO participant_terms SELECT * FROM participant_term_source
    WHERE participant_hash = NEW.participant_hash AND program = NEW.program;
END;

-- A unit's participant count on a day, as the official system gave it
-- (`import-participant-counts`); the bot rolls the latest one forward.
CREATE TABLE participant_counts (
    unit_id INTEGER NOT NULL REFERENCES units(id),
    program TEXT NOT NULL,
    as_of TEXT NOT NULL,
    count INTEGER NOT NULL CHECK (count >= 0),
    imported_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, program, as_of)
);
