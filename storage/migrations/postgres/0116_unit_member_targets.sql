-- PostgreSQL counterpart of ../0116_unit_member_targets.sql: members' targets summed per
-- unit for unit boards; see that file. The triggers take the advisory lock that
-- board_cache's catch-up holds (storage/postgres.py, EXCLUSIVE_LOCK), so a member who
-- moves while a period is being summed waits for the sum, then forgets it: a sum never
-- misses a change committed before it is marked complete.
CREATE TABLE unit_member_targets (
    period_key TEXT NOT NULL,
    program TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    target BIGINT NOT NULL,
    PRIMARY KEY (period_key, unit_id, program)
);

CREATE TABLE member_target_periods (period_key TEXT PRIMARY KEY);

CREATE FUNCTION member_targets_forget() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7150002);
    DELETE FROM member_target_periods;
    RETURN NULL;
END $$;

CREATE TRIGGER member_targets_on_member_insert AFTER INSERT ON members
FOR EACH STATEMENT EXECUTE FUNCTION member_targets_forget();

CREATE TRIGGER member_targets_on_member_move AFTER UPDATE OF unit_id ON members
FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id)
EXECUTE FUNCTION member_targets_forget();

CREATE TRIGGER member_targets_on_member_delete AFTER DELETE ON members
FOR EACH STATEMENT EXECUTE FUNCTION member_targets_forget();
