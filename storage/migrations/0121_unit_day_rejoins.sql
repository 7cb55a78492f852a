-- Issue 15: a lead's participant block (/donvi, /tiendo, summaries) split the period's
-- enrolments into new and rejoining participants by reading every entry of the period
-- in the scope: 60,000 entries for a national November. The period's logged total per
-- unit is already kept (unit_period_totals, 0007); what it lacks is the rejoining part.
--
-- Per unit, program and day: rejoining participants logged (entries marked rejoin = 1
-- that count) and rejoin renewals, kept by the triggers below in the same statement as
-- the entry or renewal, and filled here from what is stored. Rows exist only for days
-- with a rejoin, so a scope reads few of them. storage/sqlite_renewals.py reads them
-- (`period_enrolments`); tests/test_board_sql.py checks them against the entries.
CREATE TABLE unit_day_rejoins (
    unit_id INTEGER NOT NULL,
    program TEXT NOT NULL,
    day TEXT NOT NULL,
    entries INTEGER NOT NULL,
    renewals INTEGER NOT NULL,
    PRIMARY KEY (unit_id, day, program)
) WITHOUT ROWID;

CREATE TRIGGER unit_day_rejoins_on_entry AFTER INSERT ON entries
WHEN NEW.rejoin = 1 AND NEW.state IN ('reported', 'confirmed')
BEGIN
    INSERT INTO unit_day_rejoins (unit_id, program, day, entries, renewals)
    VALUES (NEW.unit_id, NEW.program, NEW.day, NEW.count, 0)
    ON CONFLICT (unit_id, day, program) DO UPDATE SET entries = entries + excluded.entries;
END;

CREATE TRIGGER unit_day_rejoins_on_stop_counting AFTER UPDATE OF state ON entries
WHEN OLD.rejoin = 1
    AND OLD.state IN ('reported', 'confirmed') AND NEW.state NOT IN ('reported', 'confirmed')
BEGIN
    UPDATE unit_day_rejoins SET entries = entries - OLD.count
    WHERE unit_id = OLD.unit_id AND day = OLD.day AND program = OLD.program;
END;

CREATE TRIGGER unit_day_rejoins_on_count_again AFTER UPDATE OF state ON entries
WHEN NEW.rejoin = 1
    AND OLD.state NOT IN ('reported', 'confirmed') AND NEW.state IN ('reported', 'confirmed')
BEGIN
    INSERT INTO unit_day_rejoins (unit_id, program, day, entries, renewals)
    VALUES (NEW.unit_id, NEW.program, NEW.day, NEW.count, 0)
    ON CONFLICT (unit_id, day, program) DO UPDATE SET entries = entries + excluded.entries;
END;

CREATE TRIGGER unit_day_rejoins_on_renewal AFTER INSERT ON renewals
WHEN NEW.kind = 'rejoin'
BEGIN
    INSERT INTO unit_day_rejoins (unit_id, program, day, entries, renewals)
    VALUES (NEW.unit_id, NEW.program, NEW.day, 0, 1)
    ON CONFLICT (unit_id, day, program) DO UPDATE SET renewals = renewals + 1;
END;

INSERT INTO unit_day_rejoins (unit_id, program, day, entries, renewals)
SELECT unit_id, program, day, sum(entries), sum(renewals) FROM (
    SELECT unit_id, program, day, count AS entries, 0 AS renewals FROM entries
    WHERE rejoin = 1 AND state IN ('reported', 'confirmed')
    UNION ALL
    SELECT unit_id, program, day, 0, 1 FROM renewals WHERE kind = 'rejoin'
) GROUP BY unit_id, program, day;
