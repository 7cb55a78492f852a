-- PostgreSQL counterpart of ../0121_unit_day_rejoins.sql: rejoining participants per
-- unit, program and day, kept by triggers in the entry's or renewal's own statement; see
-- that file. A trigger's WHEN leaves every other entry without a function call, so
-- logging a new participant costs what it cost before.
CREATE TABLE unit_day_rejoins (
    unit_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    day TEXT NOT NULL,
    entries BIGINT NOT NULL,
    renewals BIGINT NOT NULL,
    PRIMARY KEY (unit_id, day, program)
);

CREATE FUNCTION unit_day_rejoins_add(unit BIGINT, code TEXT, on_day TEXT, logged BIGINT,
                                     renewed BIGINT) RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO unit_day_rejoins AS r (unit_id, program, day, entries, renewals)
    VALUES (unit, code, on_day, logged, renewed)
    ON CONFLICT (unit_id, day, program) DO UPDATE SET
        entries = r.entries + excluded.entries, renewals = r.renewals + excluded.renewals;
END $$;

CREATE FUNCTION unit_day_rejoins_on_entry() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' AND OLD.state IN ('reported', 'confirmed') THEN
        IF NEW.state NOT IN ('reported', 'confirmed') THEN
            PERFORM unit_day_rejoins_add(OLD.unit_id, OLD.program, OLD.day, -OLD.count, 0);
        END IF;
    ELSIF NEW.state IN ('reported', 'confirmed') THEN
        PERFORM unit_day_rejoins_add(NEW.unit_id, NEW.program, NEW.day, NEW.count, 0);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER unit_day_rejoins_on_entry AFTER INSERT ON entries
FOR EACH ROW WHEN (NEW.rejoin = 1) EXECUTE FUNCTION unit_day_rejoins_on_entry();

CREATE TRIGGER unit_day_rejoins_on_state AFTER UPDATE OF state ON entries
FOR EACH ROW WHEN (NEW.rejoin = 1 AND OLD.state IS DISTINCT FROM NEW.state)
EXECUTE FUNCTION unit_day_rejoins_on_entry();

CREATE FUNCTION unit_day_rejoins_on_renewal() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM unit_day_rejoins_add(NEW.unit_id, NEW.program, NEW.day, 0, 1);
    RETURN NULL;
END $$;

CREATE TRIGGER unit_day_rejoins_on_renewal AFTER INSERT ON renewals
FOR EACH ROW WHEN (NEW.kind = 'rejoin') EXECUTE FUNCTION unit_day_rejoins_on_renewal();

-- What is stored already, through the triggers' own function (rejoins are few).
SELECT unit_day_rejoins_add(unit_id, program, day, count, 0) FROM entries
WHERE rejoin = 1 AND state IN ('reported', 'confirmed');
SELECT unit_day_rejoins_add(unit_id, program, day, 0, 1) FROM renewals WHERE kind = 'rejoin';
