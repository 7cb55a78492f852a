-- Issue 15: a large scope's person board (a province's, the country's) counted and added
-- up every board row of the scope on each view: 60,000 rows for the national lead. The
-- counts and totals a board shows (how many are ranked, what the listed rows achieved
-- and were set) are kept here per (period, combo, lineage): one row per unit with
-- people, so a national board reads about 3,400 rows. Where the asker stands is still
-- counted, from the rank index, up to their own row.
--
-- Kept by the triggers below, in the statement that changes a board row: whatever
-- changes board_rows (the catch-up, a member joining, moving or leaving, a unit moving)
-- keeps its sums. Like board_rows, a cache: tests/test_board_sql.py checks it against
-- board_rows and the boards against the pure ranking.
--
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
) WITHOUT ROWID;

-- One home for how a row counts (and for the upsert): each trigger below hands a row's
-- values and a sign (+1 it counts now, -1 it no longer does) to this view, whose
-- INSTEAD OF trigger adds the row's part to its lineage's sums.
CREATE VIEW board_lineage_changes (period_key, combo, lineage, sign, rank_key, listed,
                                   achieved, target) AS
SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL WHERE 0;

CREATE TRIGGER board_lineage_changes_add INSTEAD OF INSERT ON board_lineage_changes
BEGIN
    INSERT INTO board_lineage_sums (period_key, combo, lineage, ranked, achieved, target)
    VALUES (NEW.period_key, NEW.combo, NEW.lineage, NEW.sign * (NEW.rank_key IS NOT NULL),
            NEW.sign * CASE WHEN NEW.listed = 1 THEN NEW.achieved ELSE 0 END,
            NEW.sign * CASE WHEN NEW.listed = 1 THEN coalesce(NEW.target, 0) ELSE 0 END)
    ON CONFLICT (period_key, combo, lineage) DO UPDATE SET
        ranked = ranked + excluded.ranked,
        achieved = achieved + excluded.achieved,
        target = target + excluded.target;
END;

CREATE TRIGGER board_lineage_sums_on_insert AFTER INSERT ON board_rows
BEGIN
    INSERT INTO board_lineage_changes VALUES (NEW.period_key, NEW.combo, NEW.lineage, 1,
        NEW.rank_key, NEW.listed, NEW.achieved, NEW.target);
END;

CREATE TRIGGER board_lineage_sums_on_update AFTER UPDATE OF achieved, target, listed, lineage
ON board_rows
BEGIN
    INSERT INTO board_lineage_changes VALUES (OLD.period_key, OLD.combo, OLD.lineage, -1,
        OLD.rank_key, OLD.listed, OLD.achieved, OLD.target);
    INSERT INTO board_lineage_changes VALUES (NEW.period_key, NEW.combo, NEW.lineage, 1,
        NEW.rank_key, NEW.listed, NEW.achieved, NEW.target);
END;

CREATE TRIGGER board_lineage_sums_on_delete AFTER DELETE ON board_rows
BEGIN
    INSERT INTO board_lineage_changes VALUES (OLD.period_key, OLD.combo, OLD.lineage, -1,
        OLD.rank_key, OLD.listed, OLD.achieved, OLD.target);
END;
