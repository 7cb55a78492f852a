-- Issue 15: a board's catch-up recounted the marked members' rows, then cleared every
-- mark in a second statement; a log committed between the two (its member already
-- marked, so its `ON CONFLICT DO NOTHING` added nothing) had its mark cleared without
-- being recounted, and its member's board row stayed short until they logged again
-- (tests/test_catch_up_race.py: 2 of 240 logs lost in most runs, 64 loggers would lose
-- more). Now each log's statement adds its own marks, with no unique key to wait on or
-- to merge into, and the catch-up takes the marks and recounts their rows in one
-- statement (storage/board_cache.py): it deletes only the marks its snapshot sees, whose
-- logs its recount sees too; the marks of later logs stay for the next catch-up. A
-- member logging many times between two boards leaves a mark per log and period, all
-- cleared by the next board.
ALTER TABLE stale_board_members DROP CONSTRAINT stale_board_members_pkey;
CREATE INDEX stale_board_members_by_member ON stale_board_members (period_key, member_id);

-- 0132's function, its marks added without a conflict clause.
CREATE OR REPLACE FUNCTION boards_on_totals_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'INSERT' THEN
        INSERT INTO unit_period_totals AS u (period_key, unit_id, program, achieved, last_at)
        SELECT n.period_key, n.unit_id, n.program, sum(n.achieved), max(n.last_at)
        FROM new_rows n JOIN target_periods p ON p.period_key = n.period_key
        GROUP BY n.unit_id, n.period_key, n.program
        ORDER BY n.unit_id, n.period_key, n.program
        ON CONFLICT (period_key, unit_id, program) DO UPDATE SET
            achieved = u.achieved + excluded.achieved,
            last_at = greatest(u.last_at, excluded.last_at);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE unit_period_totals u SET
            achieved = u.achieved + c.delta,
            last_at = CASE WHEN c.forward THEN greatest(u.last_at, c.new_last)
                ELSE (SELECT max(t.last_at) FROM entry_totals t
                      WHERE t.period_key = c.period_key AND t.unit_id = c.unit_id
                        AND t.program = c.program) END
        FROM (
            -- Joined on the key, which no statement changes.
            SELECT n.period_key, n.unit_id, n.program, sum(n.achieved - o.achieved) AS delta,
                bool_and(n.last_at >= coalesce(o.last_at, '')) AS forward,
                max(n.last_at) AS new_last
            FROM new_rows n JOIN old_rows o ON o.period_key = n.period_key
                AND o.member_id = n.member_id AND o.unit_id = n.unit_id
                AND o.program = n.program
            JOIN target_periods p ON p.period_key = n.period_key
            GROUP BY n.period_key, n.unit_id, n.program
        ) AS c
        WHERE u.period_key = c.period_key AND u.unit_id = c.unit_id
          AND u.program = c.program;
    ELSE
        UPDATE unit_period_totals u SET
            achieved = u.achieved - c.gone,
            last_at = (SELECT max(t.last_at) FROM entry_totals t
                       WHERE t.period_key = c.period_key AND t.unit_id = c.unit_id
                         AND t.program = c.program)
        FROM (
            SELECT o.period_key, o.unit_id, o.program, sum(o.achieved) AS gone
            FROM old_rows o JOIN target_periods p ON p.period_key = o.period_key
            GROUP BY o.period_key, o.unit_id, o.program
        ) AS c
        WHERE u.period_key = c.period_key AND u.unit_id = c.unit_id
          AND u.program = c.program;
    END IF;
    IF TG_OP = 'DELETE' THEN
        INSERT INTO stale_board_members (period_key, member_id)
        SELECT DISTINCT o.period_key, o.member_id
        FROM old_rows o JOIN target_periods p ON p.period_key = o.period_key
        ORDER BY 1, 2;
    ELSE
        INSERT INTO stale_board_members (period_key, member_id)
        SELECT DISTINCT n.period_key, n.member_id
        FROM new_rows n JOIN target_periods p ON p.period_key = n.period_key
        ORDER BY 1, 2;
    END IF;
    RETURN NULL;
END $$;
