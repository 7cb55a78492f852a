-- Issue 15: 0133's statement triggers moved the fold generation on every statement that
-- named one of its tables, even one that changed no row. The catch-up before every board
-- read after a log runs `INSERT INTO target_periods ... ON CONFLICT DO NOTHING`, so each
-- log sent every process's kept folds back to a whole read (a national /bxh after logs:
-- 137 ms median at 10M, the fold read whole 73 ms of it). Now a statement moves it only
-- when its transition tables hold a row that matters, as SQLite's row triggers (0133):
-- any row of units, unit_member_targets and target_periods, and plans of kind 'unit'.
-- A trigger with transition tables serves one event, hence one trigger per event.
-- 0133's bump stays for TRUNCATE (no transition tables).
CREATE FUNCTION fold_generation_move() RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_advisory_xact_lock(7150002);  -- as 0133's bump: catch-up's lock first
    UPDATE fold_generation SET n = n + 1 WHERE id = 1;
END $$;

-- Any row of the statement. Each branch names only the transition tables its event has
-- (PL/pgSQL plans a branch when it first runs it).
CREATE FUNCTION fold_generation_bump_on_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM new_rows) THEN PERFORM fold_generation_move(); END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF EXISTS (SELECT 1 FROM new_rows) THEN PERFORM fold_generation_move(); END IF;
    ELSIF EXISTS (SELECT 1 FROM old_rows) THEN
        PERFORM fold_generation_move();
    END IF;
    RETURN NULL;
END $$;

-- A unit's plan among the statement's rows (a member's quota is summed per unit by
-- board_cache, whose rows in unit_member_targets move the generation then).
CREATE FUNCTION fold_generation_bump_on_unit_plans() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        IF EXISTS (SELECT 1 FROM new_rows WHERE target_kind = 'unit') THEN
            PERFORM fold_generation_move();
        END IF;
    ELSIF TG_OP = 'UPDATE' THEN
        IF EXISTS (SELECT 1 FROM new_rows WHERE target_kind = 'unit')
            OR EXISTS (SELECT 1 FROM old_rows WHERE target_kind = 'unit') THEN
            PERFORM fold_generation_move();
        END IF;
    ELSIF EXISTS (SELECT 1 FROM old_rows WHERE target_kind = 'unit') THEN
        PERFORM fold_generation_move();
    END IF;
    RETURN NULL;
END $$;

DROP TRIGGER fold_generation_on_units ON units;
DROP TRIGGER fold_generation_on_plans ON period_targets;
DROP TRIGGER fold_generation_on_member_targets ON unit_member_targets;
DROP TRIGGER fold_generation_on_periods ON target_periods;

DO $$
DECLARE
    watched TEXT;
    bump TEXT;
BEGIN
    FOREACH watched IN ARRAY ARRAY['units', 'period_targets', 'unit_member_targets',
                                    'target_periods'] LOOP
        bump := CASE WHEN watched = 'period_targets' THEN 'fold_generation_bump_on_unit_plans'
            ELSE 'fold_generation_bump_on_rows' END;
        EXECUTE format('CREATE TRIGGER fold_generation_on_insert AFTER INSERT ON %I'
            ' REFERENCING NEW TABLE AS new_rows FOR EACH STATEMENT'
            ' EXECUTE FUNCTION %I()', watched, bump);
        EXECUTE format('CREATE TRIGGER fold_generation_on_update AFTER UPDATE ON %I'
            ' REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows FOR EACH STATEMENT'
            ' EXECUTE FUNCTION %I()', watched, bump);
        EXECUTE format('CREATE TRIGGER fold_generation_on_delete AFTER DELETE ON %I'
            ' REFERENCING OLD TABLE AS old_rows FOR EACH STATEMENT'
            ' EXECUTE FUNCTION %I()', watched, bump);
        EXECUTE format('CREATE TRIGGER fold_generation_on_truncate AFTER TRUNCATE ON %I'
            ' FOR EACH STATEMENT EXECUTE FUNCTION fold_generation_bump()', watched);
    END LOOP;
END $$;
