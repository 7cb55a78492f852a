-- Issue 15 (64 senders against raw INSERT + COMMIT): the unit totals of materialised
-- periods and the board marks are kept by statement triggers over entry_totals'
-- transition tables, not by a trigger a row (0007's boards_on_totals). A batch's upsert
-- of its entries' period totals (0131) fired it four times a log, each a PL/pgSQL call
-- and a look at target_periods; now once a statement. What they keep is the same:
-- - inserted totals add to their unit's total of the period (the latest instant kept);
-- - updated totals add their change; where an instant went back (an entry voided), the
--   unit's latest instant is read again from entry_totals, as for deleted totals (a
--   unit whose totals all moved forward keeps the latest of its own and theirs);
-- - every changed (period, member) is marked for its board rows to be recounted;
-- only for periods in target_periods (the others are made whole when materialised).
DROP TRIGGER boards_on_totals ON entry_totals;
DROP FUNCTION boards_on_totals();

-- Each statement names only the transition tables its event has (PL/pgSQL plans a
-- statement when it first runs it; a missing table would fail the plan).
CREATE FUNCTION boards_on_totals_rows() RETURNS trigger LANGUAGE plpgsql AS $$
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
        ORDER BY 1, 2
        ON CONFLICT DO NOTHING;
    ELSE
        INSERT INTO stale_board_members (period_key, member_id)
        SELECT DISTINCT n.period_key, n.member_id
        FROM new_rows n JOIN target_periods p ON p.period_key = n.period_key
        ORDER BY 1, 2
        ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;

CREATE TRIGGER boards_on_totals_insert AFTER INSERT ON entry_totals
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION boards_on_totals_rows();
CREATE TRIGGER boards_on_totals_update AFTER UPDATE ON entry_totals
REFERENCING OLD TABLE AS old_rows NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION boards_on_totals_rows();
CREATE TRIGGER boards_on_totals_delete AFTER DELETE ON entry_totals
REFERENCING OLD TABLE AS old_rows
FOR EACH STATEMENT EXECUTE FUNCTION boards_on_totals_rows();
