-- PostgreSQL counterpart of ../0122_board_lineage_sums.sql: a board's counts and totals
-- kept per (period, combo, lineage); see that file. Here the triggers run once per
-- statement over its transition tables (a period's first board inserts 60,000 rows in
-- one statement, and they are summed in one pass), and the rank index carries each
-- row's lineage, so where the asker stands in a large scope is counted from the index
-- alone.
-- Boards are emptied (as 0119 did) rather than summed here with a second copy of the
-- triggers' rule: they are a cache, and the next view of each builds it again.
DELETE FROM board_rows;
DELETE FROM board_combos;
DELETE FROM stale_board_members;

CREATE TABLE board_lineage_sums (
    period_key TEXT NOT NULL,
    combo TEXT NOT NULL,
    lineage TEXT NOT NULL,
    ranked INTEGER NOT NULL,
    achieved INTEGER NOT NULL,
    target INTEGER NOT NULL,
    PRIMARY KEY (period_key, combo, lineage)
);

CREATE FUNCTION board_lineage_sums_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO board_lineage_sums AS s (period_key, combo, lineage, ranked, achieved,
                                             target)
        SELECT period_key, combo, lineage, -count(rank_key),
            -sum(CASE WHEN listed = 1 THEN achieved ELSE 0 END),
            -sum(CASE WHEN listed = 1 THEN coalesce(target, 0) ELSE 0 END)
        FROM old_rows GROUP BY period_key, combo, lineage
        ON CONFLICT (period_key, combo, lineage) DO UPDATE SET
            ranked = s.ranked + excluded.ranked,
            achieved = s.achieved + excluded.achieved,
            target = s.target + excluded.target;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO board_lineage_sums AS s (period_key, combo, lineage, ranked, achieved,
                                             target)
        SELECT period_key, combo, lineage, count(rank_key),
            sum(CASE WHEN listed = 1 THEN achieved ELSE 0 END),
            sum(CASE WHEN listed = 1 THEN coalesce(target, 0) ELSE 0 END)
        FROM new_rows GROUP BY period_key, combo, lineage
        ON CONFLICT (period_key, combo, lineage) DO UPDATE SET
            ranked = s.ranked + excluded.ranked,
            achieved = s.achieved + excluded.achieved,
            target = s.target + excluded.target;
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
