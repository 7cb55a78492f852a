-- Completion is ranked as people now see it, in hundredths of a percent (102,02%):
-- `rank_key` (leaderboards.ranking.rank_keys) compares achieved * 10000 / target,
-- floored, instead of the whole percent. A generated column cannot be altered, so
-- board_rows is made again with its rows (a cache: the triggers of 0007 still fill it).
CREATE TABLE board_rows_kept AS
    SELECT period_key, combo, lineage, member_id, achieved, reached, target FROM board_rows;
DROP TABLE board_rows;
CREATE TABLE board_rows (
    period_key TEXT NOT NULL,
    combo TEXT NOT NULL,
    lineage TEXT NOT NULL,
    member_id INTEGER NOT NULL,
    achieved INTEGER NOT NULL,
    reached TEXT,
    target INTEGER,
    rank_key TEXT GENERATED ALWAYS AS (
        CASE WHEN target > 0 THEN
            printf('%012d%012d', 999999999999 - achieved * 10000 / target, 999999999999 - achieved)
            || coalesce(reached, '~')
        END
    ) STORED,
    PRIMARY KEY (period_key, combo, lineage, member_id)
) WITHOUT ROWID;
INSERT INTO board_rows (period_key, combo, lineage, member_id, achieved, reached, target)
    SELECT period_key, combo, lineage, member_id, achieved, reached, target FROM board_rows_kept;
DROP TABLE board_rows_kept;
CREATE INDEX board_rows_rank ON board_rows (period_key, combo, rank_key);
CREATE INDEX board_rows_member ON board_rows (member_id, period_key);
