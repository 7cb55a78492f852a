-- Leaderboards, emulation and badges.

-- The payment term an entry was paid for (months); longer terms weigh more in emulation.
ALTER TABLE entries ADD COLUMN term_months INTEGER;

-- Running totals per period, member, unit the entries were logged in, and program: what
-- leaderboards read instead of summing a year of entries on every request. The triggers
-- keep them in the same statement as the entry change, so they never disagree with
-- `entries`, and they can always be rebuilt from it. Period keys: 2026, 2026-Q4,
-- 2026-11, 2026-W48 (ISO week, from the week's Thursday: SQLite 3.40 has no %V).
CREATE TABLE entry_totals (
    period_key TEXT NOT NULL,
    member_id INTEGER NOT NULL,
    unit_id INTEGER NOT NULL,
    program TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    last_at TEXT,
    PRIMARY KEY (period_key, member_id, unit_id, program)
) WITHOUT ROWID;

CREATE TRIGGER entry_totals_on_insert AFTER INSERT ON entries
WHEN NEW.state IN ('reported', 'confirmed')
BEGIN
    INSERT INTO entry_totals (period_key, member_id, unit_id, program, achieved, last_at)
    SELECT period_key, NEW.member_id, NEW.unit_id, NEW.program, NEW.count, NEW.created_at
    FROM (
        SELECT substr(NEW.day, 1, 4) AS period_key
        UNION ALL SELECT substr(NEW.day, 1, 4) || '-Q' || ((CAST(substr(NEW.day, 6, 2) AS INTEGER) + 2) / 3) AS period_key
        UNION ALL SELECT substr(NEW.day, 1, 7) AS period_key
        UNION ALL SELECT strftime('%Y', date(NEW.day, '-' || ((strftime('%w', NEW.day) + 6) % 7) || ' days', '+3 days')) || '-W' || printf('%02d', (strftime('%j', date(NEW.day, '-' || ((strftime('%w', NEW.day) + 6) % 7) || ' days', '+3 days')) - 1) / 7 + 1) AS period_key
    ) WHERE true
    ON CONFLICT (period_key, member_id, unit_id, program) DO UPDATE SET
        achieved = achieved + excluded.achieved,
        last_at = max(coalesce(last_at, ''), excluded.last_at);
END;

CREATE TRIGGER entry_totals_on_stop_counting AFTER UPDATE OF state ON entries
WHEN OLD.state IN ('reported', 'confirmed') AND NEW.state NOT IN ('reported', 'confirmed')
BEGIN
    UPDATE entry_totals SET
        achieved = achieved - OLD.count,
        last_at = (
            SELECT max(e.created_at) FROM entries e
            WHERE e.member_id = OLD.member_id AND e.unit_id = OLD.unit_id
              AND e.program = OLD.program AND e.state IN ('reported', 'confirmed')
              AND CASE length(entry_totals.period_key) WHEN 4 THEN substr(e.day, 1, 4) WHEN 7 THEN (CASE substr(entry_totals.period_key, 6, 1) WHEN 'Q' THEN substr(e.day, 1, 4) || '-Q' || ((CAST(substr(e.day, 6, 2) AS INTEGER) + 2) / 3) ELSE substr(e.day, 1, 7) END) ELSE strftime('%Y', date(e.day, '-' || ((strftime('%w', e.day) + 6) % 7) || ' days', '+3 days')) || '-W' || printf('%02d', (strftime('%j', date(e.day, '-' || ((strftime('%w', e.day) + 6) % 7) || ' days', '+3 days')) - 1) / 7 + 1) END = entry_totals.period_key
        )
    WHERE member_id = OLD.member_id AND unit_id = OLD.unit_id AND program = OLD.program
      AND period_key IN (
        SELECT substr(OLD.day, 1, 4) AS period_key
        UNION ALL SELECT substr(OLD.day, 1, 4) || '-Q' || ((CAST(substr(OLD.day, 6, 2) AS INTEGER) + 2) / 3) AS period_key
        UNION ALL SELECT substr(OLD.day, 1, 7) AS period_key
        UNION ALL SELECT strftime('%Y', date(OLD.day, '-' || ((strftime('%w', OLD.day) + 6) % 7) || ' days', '+3 days')) || '-W' || printf('%02d', (strftime('%j', date(OLD.day, '-' || ((strftime('%w', OLD.day) + 6) % 7) || ' days', '+3 days')) - 1) / 7 + 1) AS period_key
      );
END;

CREATE TRIGGER entry_totals_on_count_again AFTER UPDATE OF state ON entries
WHEN OLD.state NOT IN ('reported', 'confirmed') AND NEW.state IN ('reported', 'confirmed')
BEGIN
    INSERT INTO entry_totals (period_key, member_id, unit_id, program, achieved, last_at)
    SELECT period_key, NEW.member_id, NEW.unit_id, NEW.program, NEW.count, NEW.created_at
    FROM (
        SELECT substr(NEW.day, 1, 4) AS period_key
        UNION ALL SELECT substr(NEW.day, 1, 4) || '-Q' || ((CAST(substr(NEW.day, 6, 2) AS INTEGER) + 2) / 3) AS period_key
        UNION ALL SELECT substr(NEW.day, 1, 7) AS period_key
        UNION ALL SELECT strftime('%Y', date(NEW.day, '-' || ((strftime('%w', NEW.day) + 6) % 7) || ' days', '+3 days')) || '-W' || printf('%02d', (strftime('%j', date(NEW.day, '-' || ((strftime('%w', NEW.day) + 6) % 7) || ' days', '+3 days')) - 1) / 7 + 1) AS period_key
    ) WHERE true
    ON CONFLICT (period_key, member_id, unit_id, program) DO UPDATE SET
        achieved = achieved + excluded.achieved,
        last_at = max(coalesce(last_at, ''), excluded.last_at);
END;

INSERT INTO entry_totals (period_key, member_id, unit_id, program, achieved, last_at)
SELECT period_key, member_id, unit_id, program, sum(count), max(created_at)
FROM (
    SELECT substr(day, 1, 4) AS period_key, member_id, unit_id, program, count, created_at
    FROM entries WHERE state IN ('reported', 'confirmed')
    UNION ALL SELECT substr(day, 1, 4) || '-Q' || ((CAST(substr(day, 6, 2) AS INTEGER) + 2) / 3), member_id, unit_id, program, count, created_at
    FROM entries WHERE state IN ('reported', 'confirmed')
    UNION ALL SELECT substr(day, 1, 7), member_id, unit_id, program, count, created_at
    FROM entries WHERE state IN ('reported', 'confirmed')
    UNION ALL SELECT strftime('%Y', date(day, '-' || ((strftime('%w', day) + 6) % 7) || ' days', '+3 days')) || '-W' || printf('%02d', (strftime('%j', date(day, '-' || ((strftime('%w', day) + 6) % 7) || ' days', '+3 days')) - 1) / 7 + 1), member_id, unit_id, program, count, created_at
    FROM entries WHERE state IN ('reported', 'confirmed')
)
GROUP BY period_key, member_id, unit_id, program;

-- A unit's entries, for unit boards: credited to the unit they were logged in.
CREATE INDEX entry_totals_unit ON entry_totals (period_key, unit_id);

-- Once per member, program and month: the team group hears of a quota met only once.
CREATE TABLE celebrations (
    member_id INTEGER NOT NULL REFERENCES members(id),
    program TEXT NOT NULL,
    month_key TEXT NOT NULL,
    celebrated_at TEXT NOT NULL,
    PRIMARY KEY (member_id, program, month_key)
);

-- The initiative (sáng kiến) a lead records for a member's year: with an excellent level
-- it puts them on course for Chiến sĩ thi đua cơ sở.
CREATE TABLE initiatives (
    member_id INTEGER NOT NULL REFERENCES members(id),
    year INTEGER NOT NULL,
    note TEXT NOT NULL,
    recorded_by INTEGER REFERENCES members(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (member_id, year)
);
