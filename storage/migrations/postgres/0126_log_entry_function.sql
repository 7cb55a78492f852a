-- Issue 15 (64 senders against raw INSERT + COMMIT): a log's statements become one
-- PL/pgSQL function, `log_entry`, called as one statement.
--
-- Sent as plain SQL (prepared statements are off for PgBouncer's transaction mode), the
-- INSERT, the read by source key and the standing read were parsed and planned again on
-- every log: about half a millisecond of the server's time per log, more than the read
-- itself (pg_stat_statements, 64 senders). A PL/pgSQL function keeps its statements'
-- plans for the connection, which is no session state a pooler could lose: a new server
-- connection plans them once again.
--
-- What it does is storage/entry_sql.py's statements, as SQLite runs them (SQLite's
-- `_store_entry` runs those; tests/test_log_entry_function.py checks both backends give
-- the same answers for the same logs):
-- - INSERT_ENTRY: insert unless the source key was seen (the key's uniqueness decides;
--   a redelivery's INSERT waits for the first one's commit);
-- - ENTRY_BY_SOURCE_KEY: otherwise the row stored before (each statement of a function
--   takes a new snapshot, so that committed row is seen);
-- - MEMBER_PERIOD, for the stored row's member, when `asked_period` is given: their
--   quota books and their totals of that period (after this entry's triggers), as three
--   arrays of the same length (program, the book's period or NULL for a total, value).
CREATE FUNCTION log_entry(
    new_member_id BIGINT, new_unit_id BIGINT, new_program TEXT, new_day TEXT,
    new_count INTEGER, new_channel TEXT, new_created_at TEXT, new_source_key TEXT,
    asked_period TEXT
) RETURNS TABLE (
    entry_id BIGINT, entry_member_id BIGINT, entry_unit_id BIGINT, entry_program TEXT,
    entry_day TEXT, entry_count INTEGER, entry_channel TEXT, entry_state TEXT,
    entry_created_at TEXT, created BOOLEAN,
    standing_programs TEXT[], standing_periods TEXT[], standing_values BIGINT[]
) LANGUAGE plpgsql AS $$
DECLARE
    stored entries;
BEGIN
    INSERT INTO entries AS e (member_id, unit_id, program, day, count, channel, created_at,
        source_key)
    VALUES (new_member_id, new_unit_id, new_program, new_day, new_count, new_channel,
        new_created_at, new_source_key)
    ON CONFLICT (source_key) DO NOTHING
    RETURNING e.* INTO stored;
    created := FOUND;
    IF NOT created THEN
        SELECT e.* INTO stored FROM entries e WHERE e.source_key = new_source_key;
    END IF;
    IF asked_period IS NOT NULL THEN
        SELECT array_agg(s.program), array_agg(s.period_key), array_agg(s.value)
        INTO standing_programs, standing_periods, standing_values
        FROM (
            SELECT q.program, q.period_key, q.value::BIGINT AS value FROM quotas q
            WHERE q.target_kind = 'member' AND q.target_id = stored.member_id
            UNION ALL SELECT t.program, NULL, sum(t.achieved) FROM entry_totals t
            WHERE t.period_key = asked_period AND t.member_id = stored.member_id
            GROUP BY t.program
        ) s;
    END IF;
    entry_id := stored.id;
    entry_member_id := stored.member_id;
    entry_unit_id := stored.unit_id;
    entry_program := stored.program;
    entry_day := stored.day;
    entry_count := stored.count;
    entry_channel := stored.channel;
    entry_state := stored.state;
    entry_created_at := stored.created_at;
    RETURN NEXT;
END $$;
