-- Issue 15 (the logging path's cost on the server): 0002's entry_totals_add was a SQL
-- function, planned again on every call, once per logged entry. The same statement in
-- PL/pgSQL keeps its plan for the connection (the pool's connections live long), which
-- took about a third off an entry's INSERT with its triggers. What it stores is the same.
CREATE OR REPLACE FUNCTION entry_totals_add(entry entries) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO entry_totals AS t (period_key, member_id, unit_id, program, achieved, last_at)
    SELECT key, entry.member_id, entry.unit_id, entry.program, entry.count, entry.created_at
    FROM unnest(period_keys(entry.day)) AS key
    ON CONFLICT (period_key, member_id, unit_id, program) DO UPDATE SET
        achieved = t.achieved + excluded.achieved,
        last_at = greatest(t.last_at, excluded.last_at);
END $$;
