-- PostgreSQL counterpart of ../0122_board_lineage_sums.sql: a board's counts and totals
-- kept per (period, combo, lineage); see that file. Here the triggers run once per
-- statement over its transition tables (a period's first board inserts 60,000 rows in
-- one statement, and they are summed in one pass), and the rank index carries each
-- row's lineage, so where the asker stands in a large scope is counted from the index
-- alone.
CREATE TABLE board_lineage_sums (
    period_key TEXT NOT NULL, combo TEXT NOT NULL, lineage TEXT NOT NULL,
    ranked INTEGER NOT NULL, achieved INTEGER NOT NULL, target INTEGER NOT NULL,
    PRIMARY KEY (period_key, combo, lineage)
);

-- As on SQLite, the boards are emptied rather than summed here (they are a cache).
DELETE FROM board_rows;
DELETE FROM board_combos;
DELETE FROM stale_board_members;

-- One home for how a row counts: `changed` rows, each with its sign (+1 it counts now,
-- -1 it no longer does), added to their lineages' sums in one statement.
CREATE FUNCTION board_lineage_sums_add(changed board_rows[], sign INTEGER) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO board_lineage_sums AS s (period_key, combo, lineage, ranked, achieved, target)
    SELECT r.period_key, r.combo, r.lineage, sign * count(r.rank_key),
        sign * sum(CASE WHEN r.listed = 1 THEN r.achieved ELSE 0 END),
        sign * sum(CASE WHEN r.listed = 1 THEN coalesce(r.target, 0) ELSE 0 END)
    FROM unnest(changed) AS r GROUP BY r.period_key, r.combo, r.lineage
    ON CONFLICT (period_key, combo, lineage) DO UPDATE SET
        ranked = s.ranked + excluded.ranked,
        achieved = s.achieved + excluded.achieved,
        target = s.target + excluded.target;
END $$;

CREATE FUNCTION board_lineage_sums_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM board_lineage_sums_add(ARRAY(SELECT o::board_rows FROM old_rows o), -1);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM board_lineage_sums_add(ARRAY(SELECT n::board_rows FROM new_rows n), 1);
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER board_lineage_sums_on_insert AFTER INSERT ON board_rows
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION board_lineage_sums_apply();
CREATE TRIGGER board_lineage_sums_on_update AFTER UPDATE ON board_rows
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION board_lineage_sums_apply();
CREATE TRIGGER board_lineage_sums_on_delete AFTER DELETE ON board_rows
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION board_lineage_sums_apply();

DROP INDEX board_rows_rank;
CREATE INDEX board_rows_rank ON board_rows (period_key, combo, rank_key, name_key, member_id)
INCLUDE (lineage);
