-- PostgreSQL counterpart of ../0133_fold_generation.sql: the counter that says when a
-- process's kept fold of a unit board (storage/folded_cache.py) must be read again
-- whole. Here the triggers run once a statement (a period's plans arrive in one), and
-- every statement on period_targets moves it (members' targets too: harmless, they are
-- summed again anyway). The counter is read in the same statement as the data it
-- vouches for, so a change is seen exactly when its data is.
--
-- The bump first takes the advisory lock board_cache's catch-up holds (storage/postgres.py,
-- EXCLUSIVE_LOCK), as 0116's triggers do: catch-up writes these tables under that lock,
-- so a writer that bumped the row first and then waited for the lock (a staff import
-- adding units, then members) would deadlock with it.
CREATE TABLE fold_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n BIGINT NOT NULL
);
INSERT INTO fold_generation (id, n) VALUES (1, 0);

CREATE FUNCTION fold_generation_bump() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7150002);
    UPDATE fold_generation SET n = n + 1 WHERE id = 1;
    RETURN NULL;
END $$;

CREATE TRIGGER fold_generation_on_units AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON units
FOR EACH STATEMENT EXECUTE FUNCTION fold_generation_bump();
CREATE TRIGGER fold_generation_on_plans
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON period_targets
FOR EACH STATEMENT EXECUTE FUNCTION fold_generation_bump();
CREATE TRIGGER fold_generation_on_member_targets
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON unit_member_targets
FOR EACH STATEMENT EXECUTE FUNCTION fold_generation_bump();
CREATE TRIGGER fold_generation_on_periods
AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE ON target_periods
FOR EACH STATEMENT EXECUTE FUNCTION fold_generation_bump();
