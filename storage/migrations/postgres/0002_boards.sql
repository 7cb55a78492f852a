-- PostgreSQL counterpart of ../0002_boards.sql: running totals per period kept by
-- triggers in the same transaction as the entry change.
ALTER TABLE entries ADD COLUMN term_months INTEGER;

CREATE TABLE entry_totals (
    period_key TEXT NOT NULL,
    member_id BIGINT NOT NULL,
    unit_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    last_at TEXT,
    PRIMARY KEY (period_key, member_id, unit_id, program)
);

-- The period keys a local day counts in: 2026, 2026-Q4, 2026-11, 2026-W48 (ISO week,
-- the year of the week's Thursday), as tracker.periods names them.
CREATE FUNCTION period_keys(day TEXT) RETURNS TEXT[] LANGUAGE sql IMMUTABLE AS $$
    SELECT ARRAY[
        substr(day, 1, 4),
        to_char(day::date, 'YYYY-"Q"Q'),
        substr(day, 1, 7),
        to_char(day::date, 'IYYY-"W"IW')
    ]
$$;

CREATE FUNCTION entry_totals_add(entry entries) RETURNS void LANGUAGE sql AS $$
    INSERT INTO entry_totals AS t (period_key, member_id, unit_id, program, achieved, last_at)
    SELECT key, entry.member_id, entry.unit_id, entry.program, entry.count, entry.created_at
    FROM unnest(period_keys(entry.day)) AS key
    ON CONFLICT (period_key, member_id, unit_id, program) DO UPDATE SET
        achieved = t.achieved + excluded.achieved,
        last_at = greatest(t.last_at, excluded.last_at);
$$;

CREATE FUNCTION entry_totals_on_insert() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF NEW.state IN ('reported', 'confirmed') THEN
        PERFORM entry_totals_add(NEW);
    END IF;
    RETURN NULL;
END $$;

CREATE FUNCTION entry_totals_on_state() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.state IN ('reported', 'confirmed') AND NEW.state NOT IN ('reported', 'confirmed') THEN
        UPDATE entry_totals t SET
            achieved = t.achieved - OLD.count,
            last_at = (
                SELECT max(e.created_at) FROM entries e
                WHERE e.member_id = OLD.member_id AND e.unit_id = OLD.unit_id
                  AND e.program = OLD.program AND e.state IN ('reported', 'confirmed')
                  AND t.period_key = ANY (period_keys(e.day))
            )
        WHERE t.member_id = OLD.member_id AND t.unit_id = OLD.unit_id
          AND t.program = OLD.program AND t.period_key = ANY (period_keys(OLD.day));
    ELSIF OLD.state NOT IN ('reported', 'confirmed') AND NEW.state IN ('reported', 'confirmed') THEN
        PERFORM entry_totals_add(NEW);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER entry_totals_on_insert AFTER INSERT ON entries
FOR EACH ROW EXECUTE FUNCTION entry_totals_on_insert();
CREATE TRIGGER entry_totals_on_state AFTER UPDATE OF state ON entries
FOR EACH ROW EXECUTE FUNCTION entry_totals_on_state();

INSERT INTO entry_totals (period_key, member_id, unit_id, program, achieved, last_at)
SELECT key, member_id, unit_id, program, sum(count), max(created_at)
FROM entries, unnest(period_keys(day)) AS key
WHERE state IN ('reported', 'confirmed')
GROUP BY key, member_id, unit_id, program;

CREATE INDEX entry_totals_unit ON entry_totals (period_key, unit_id);

CREATE TABLE celebrations (
    member_id BIGINT NOT NULL REFERENCES members(id),
    program TEXT NOT NULL,
    month_key TEXT NOT NULL,
    celebrated_at TEXT NOT NULL,
    PRIMARY KEY (member_id, program, month_key)
);

CREATE TABLE initiatives (
    member_id BIGINT NOT NULL REFERENCES members(id),
    year INTEGER NOT NULL,
    note TEXT NOT NULL,
    recorded_by BIGINT REFERENCES members(id),
    recorded_at TEXT NOT NULL,
    PRIMARY KEY (member_id, year)
);
