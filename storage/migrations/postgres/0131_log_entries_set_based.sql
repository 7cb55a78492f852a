-- Issue 15 (64 senders against raw INSERT + COMMIT): a batch of logs (0130) is inserted
-- by one statement, and the running totals of the inserted entries are kept by one
-- statement too, not by a trigger a row. Per entry, the row triggers' upserts of four
-- period totals, each a statement the server starts and ends, cost more than the entry.
--
-- - entry_totals_on_insert becomes a statement trigger over the inserted rows (its
--   transition table): one upsert of every (period, member, unit, program) they touch,
--   in the order of unit and member (two batches lock shared rows in the same order).
--   What it adds is what 0002's entry_totals_add added for each row.
-- - unit_changes_on_entry likewise marks the inserted rows' units in one statement.
-- - participant_terms_logged runs only for an entry with a participant (WHEN).
-- - log_entries inserts the batch with one INSERT ... SELECT; each log's stored row and
--   its member's standing "right after it" are then read: the period's totals after the
--   batch, less what the batch's later logs of the same member added to them.
DROP TRIGGER entry_totals_on_insert ON entries;
DROP FUNCTION entry_totals_on_insert();

CREATE FUNCTION entry_totals_on_insert_rows() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO entry_totals AS t (period_key, member_id, unit_id, program, achieved, last_at)
    SELECT key, n.member_id, n.unit_id, n.program, sum(n.count), max(n.created_at)
    FROM new_rows n CROSS JOIN LATERAL unnest(period_keys(n.day)) AS key
    WHERE n.state IN ('reported', 'confirmed')
    GROUP BY n.unit_id, n.member_id, n.program, key
    ORDER BY n.unit_id, n.member_id, n.program, key
    ON CONFLICT (period_key, member_id, unit_id, program) DO UPDATE SET
        achieved = t.achieved + excluded.achieved,
        last_at = greatest(t.last_at, excluded.last_at);
    RETURN NULL;
END $$;

CREATE TRIGGER entry_totals_on_insert AFTER INSERT ON entries
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION entry_totals_on_insert_rows();

DROP TRIGGER unit_changes_on_entry ON entries;

CREATE FUNCTION unit_changes_mark_rows() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mark BIGINT := pg_current_xact_id()::text::bigint;
BEGIN
    INSERT INTO unit_changes AS u (unit_id, seq)
        SELECT touched.unit_id, mark FROM (
            SELECT n.unit_id FROM new_rows n
            UNION SELECT m.unit_id FROM new_rows n JOIN members m ON m.id = n.member_id
        ) AS touched
        ORDER BY touched.unit_id
        ON CONFLICT (unit_id) DO UPDATE SET seq = excluded.seq
        WHERE u.seq IS DISTINCT FROM excluded.seq;
    RETURN NULL;
END $$;

CREATE TRIGGER unit_changes_on_entry AFTER INSERT ON entries
REFERENCING NEW TABLE AS new_rows
FOR EACH STATEMENT EXECUTE FUNCTION unit_changes_mark_rows();

DROP TRIGGER participant_terms_logged ON entries;
CREATE TRIGGER participant_terms_logged AFTER INSERT ON entries
FOR EACH ROW WHEN (NEW.participant_hash IS NOT NULL)
EXECUTE FUNCTION participant_terms_refresh();

CREATE OR REPLACE FUNCTION log_entries(
    new_member_ids BIGINT[], new_unit_ids BIGINT[], new_programs TEXT[], new_days TEXT[],
    new_counts INTEGER[], new_channels TEXT[], new_created_ats TEXT[],
    new_source_keys TEXT[], asked_periods TEXT[]
) RETURNS TABLE (
    log_number INTEGER,
    entry_id BIGINT, entry_member_id BIGINT, entry_unit_id BIGINT, entry_program TEXT,
    entry_day TEXT, entry_count INTEGER, entry_channel TEXT, entry_state TEXT,
    entry_created_at TEXT, created BOOLEAN,
    standing_programs TEXT[], standing_periods TEXT[], standing_values BIGINT[]
) LANGUAGE plpgsql AS $$
DECLARE
    inserted_ids BIGINT[];
BEGIN
    -- Identities are drawn in the order of the SELECT, so the inserted rows' ids rise
    -- with the logs' numbers (a refused row uses up an identity too, keeping the order).
    WITH inserted AS (
        INSERT INTO entries AS e (member_id, unit_id, program, day, count, channel,
            created_at, source_key)
        SELECT i.member_id, i.unit_id, i.program, i.day, i.count, i.channel, i.created_at,
            i.source_key
        FROM unnest(new_member_ids, new_unit_ids, new_programs, new_days, new_counts,
            new_channels, new_created_ats, new_source_keys) WITH ORDINALITY
            AS i(member_id, unit_id, program, day, count, channel, created_at, source_key, n)
        ORDER BY i.n
        ON CONFLICT (source_key) DO NOTHING
        RETURNING e.id
    )
    SELECT coalesce(array_agg(id ORDER BY id), '{}') INTO inserted_ids FROM inserted;

    RETURN QUERY
    WITH logs AS (
        SELECT i.n::INTEGER AS n, i.source_key, i.asked,
            row_number() OVER (PARTITION BY i.source_key ORDER BY i.n) AS use_of_key,
            row_number() OVER (PARTITION BY i.source_key IS NULL ORDER BY i.n) AS keyless_number
        FROM unnest(new_source_keys, asked_periods) WITH ORDINALITY AS i(source_key, asked, n)
    ),
    new_rows AS (  -- the inserted entries, the keyless ones numbered in order
        SELECT e.*, row_number() OVER (PARTITION BY e.source_key IS NULL ORDER BY e.id)
            AS keyless_number
        FROM entries e WHERE e.id = ANY (inserted_ids)
    ),
    placed AS (
        SELECT l.n, l.asked, s.*,
            (s.id = ANY (inserted_ids) AND (l.source_key IS NULL OR l.use_of_key = 1))
                AS was_created
        FROM logs l CROSS JOIN LATERAL (
            SELECT e.id, e.member_id, e.unit_id, e.program, e.day, e.count, e.channel,
                e.state, e.created_at
            FROM entries e
            WHERE l.source_key IS NOT NULL AND e.source_key = l.source_key
            UNION ALL
            SELECT r.id, r.member_id, r.unit_id, r.program, r.day, r.count, r.channel,
                r.state, r.created_at
            FROM new_rows r
            WHERE l.source_key IS NULL AND r.source_key IS NULL
              AND r.keyless_number = l.keyless_number
        ) AS s
    )
    SELECT p.n, p.id, p.member_id, p.unit_id, p.program, p.day, p.count, p.channel,
        p.state, p.created_at, p.was_created, standing.programs, standing.periods,
        standing.amounts
    FROM placed p LEFT JOIN LATERAL (
        SELECT array_agg(f.program) AS programs, array_agg(f.period_key) AS periods,
            array_agg(f.value) AS amounts
        FROM (
            SELECT q.program, q.period_key, q.value::BIGINT AS value FROM quotas q
            WHERE q.target_kind = 'member' AND q.target_id = p.member_id
            UNION ALL
            SELECT t.program, NULL, sum(t.achieved) - coalesce((
                SELECT sum(later.count) FROM placed later
                WHERE later.n > p.n AND later.was_created
                  AND later.member_id = p.member_id AND later.program = t.program
                  AND p.asked = ANY (period_keys(later.day))
            ), 0)
            FROM entry_totals t
            WHERE t.period_key = p.asked AND t.member_id = p.member_id
            GROUP BY t.program
        ) AS f
    ) AS standing ON p.asked IS NOT NULL
    ORDER BY p.n;
END $$;
