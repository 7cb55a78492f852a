-- Issue 15: where the national lead stands was counted along the rank index, up to
-- their row or from it to the end: 12,000 to 39,000 index entries on each view of a
-- 60,000-person board. Kept here per (period, combo, bucket of the rank key): how many
-- ranked rows, and what the listed rows achieved and were set, as 0122 keeps them per
-- lineage. A bucket is the key's first ten characters, its completion in whole percents
-- (unranked rows: '~', after every bucket); storage/people_slice_sql.py counts a whole
-- board's place as the buckets ahead of the member's plus the rows of theirs up to them
-- (about 110 bucket rows and 800 entries for that lead) and adds its totals up here.
--
-- Kept in the statement that changes board rows, by statement triggers over its
-- transition tables (board rows change in the catch-up before a board is read, and when
-- members or units change; logging only marks members: no hot row on that path). Rows
-- whose bucket and totals do not change (a new name key, a unit moving) write nothing.
-- A cache, like board_rows: tests/test_board_sql.py recounts it from them.
CREATE TABLE board_rank_buckets (
    period_key TEXT NOT NULL,
    combo TEXT NOT NULL,
    bucket TEXT NOT NULL,
    ranked INTEGER NOT NULL,
    achieved INTEGER NOT NULL,
    target INTEGER NOT NULL,
    PRIMARY KEY (period_key, combo, bucket)
);

-- One home for how a row counts in its bucket: `counted` rows add, `uncounted` rows
-- take away, netted per bucket before anything is written.
CREATE FUNCTION board_rank_buckets_add(counted board_rows[], uncounted board_rows[])
RETURNS void LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO board_rank_buckets AS s (period_key, combo, bucket, ranked, achieved, target)
    SELECT r.period_key, r.combo, coalesce(substr(r.rank_key, 1, 10), '~'),
        sum(r.sign * CASE WHEN r.rank_key IS NULL THEN 0 ELSE 1 END),
        sum(r.sign * CASE WHEN r.listed = 1 THEN r.achieved ELSE 0 END),
        sum(r.sign * CASE WHEN r.listed = 1 THEN coalesce(r.target, 0) ELSE 0 END)
    FROM (
        SELECT *, 1 AS sign FROM unnest(counted)
        UNION ALL SELECT *, -1 AS sign FROM unnest(uncounted)
    ) AS r
    GROUP BY 1, 2, 3
    HAVING sum(r.sign * CASE WHEN r.rank_key IS NULL THEN 0 ELSE 1 END) <> 0
        OR sum(r.sign * CASE WHEN r.listed = 1 THEN r.achieved ELSE 0 END) <> 0
        OR sum(r.sign * CASE WHEN r.listed = 1 THEN coalesce(r.target, 0) ELSE 0 END) <> 0
    ORDER BY 1, 2, 3
    ON CONFLICT (period_key, combo, bucket) DO UPDATE SET
        ranked = s.ranked + excluded.ranked,
        achieved = s.achieved + excluded.achieved,
        target = s.target + excluded.target;
END $$;

-- Each statement names only the transition tables its event has.
CREATE FUNCTION board_rank_buckets_apply() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        PERFORM board_rank_buckets_add(
            ARRAY(SELECT n::board_rows FROM new_rows n), ARRAY[]::board_rows[]);
    ELSIF TG_OP = 'UPDATE' THEN
        PERFORM board_rank_buckets_add(
            ARRAY(SELECT n::board_rows FROM new_rows n), ARRAY(SELECT o::board_rows FROM old_rows o));
    ELSE
        PERFORM board_rank_buckets_add(
            ARRAY[]::board_rows[], ARRAY(SELECT o::board_rows FROM old_rows o));
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER board_rank_buckets_on_insert AFTER INSERT ON board_rows
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION board_rank_buckets_apply();
CREATE TRIGGER board_rank_buckets_on_update AFTER UPDATE ON board_rows
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION board_rank_buckets_apply();
CREATE TRIGGER board_rank_buckets_on_delete AFTER DELETE ON board_rows
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION board_rank_buckets_apply();

-- The boards already built, counted once.
SELECT board_rank_buckets_add(ARRAY(SELECT b::board_rows FROM board_rows b), ARRAY[]::board_rows[]);
