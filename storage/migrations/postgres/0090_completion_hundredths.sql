-- PostgreSQL counterpart of ../0090_completion_hundredths.sql: rank on completion in
-- hundredths of a percent (achieved * 10000 / target, floored), as people see it.
-- PostgreSQL 15 cannot change a generated column's expression: drop it (its index goes
-- with it) and add it again; the stored values are computed for every row.
ALTER TABLE board_rows DROP COLUMN rank_key;
ALTER TABLE board_rows ADD COLUMN rank_key TEXT GENERATED ALWAYS AS (
    CASE WHEN target > 0 THEN
        lpad((999999999999 - achieved::bigint * 10000 / target)::text, 12, '0')
        || lpad((999999999999 - achieved::bigint)::text, 12, '0')
        || coalesce(reached, '~')
    END
) STORED;
CREATE INDEX board_rows_rank ON board_rows (period_key, combo, rank_key);
