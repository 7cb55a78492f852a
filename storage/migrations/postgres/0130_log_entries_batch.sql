-- Issue 15 (64 senders against raw INSERT + COMMIT): logs that arrive together are
-- stored by one statement, `log_entries`, in one transaction (group commit, as SQLite's
-- writer does). One round trip, one plan, one commit and one WAL flush for the batch:
-- with one statement a log, the client's and the server's work per statement cost more
-- than the entry itself.
--
-- The arguments are parallel arrays, one element a log (storage/postgres.py sorts them
-- by unit and member, so that two batches lock the same rows in the same order). Each log
-- is what `log_entry` (0126) did, which this replaces, in the order given:
-- - INSERT_ENTRY: insert unless the source key was seen (the key's uniqueness decides;
--   a redelivery's INSERT waits for the first one's commit; a key seen earlier in the
--   same batch is seen, as that row is this transaction's own);
-- - ENTRY_BY_SOURCE_KEY: otherwise the row stored before;
-- - MEMBER_PERIOD, for the stored row's member, when its asked period is given: their
--   quota books and their totals of that period right after this log (after its triggers,
--   before the batch's later logs), as three arrays of the same length (program, the
--   book's period or NULL for a total, value).
-- `log_number` is the log's index in the arrays (from 1).
DROP FUNCTION log_entry(BIGINT, BIGINT, TEXT, TEXT, INTEGER, TEXT, TEXT, TEXT, TEXT);

CREATE FUNCTION log_entries(
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
    stored entries;
BEGIN
    FOR i IN 1 .. coalesce(array_length(new_member_ids, 1), 0) LOOP
        log_number := i;
        INSERT INTO entries AS e (member_id, unit_id, program, day, count, channel,
            created_at, source_key)
        VALUES (new_member_ids[i], new_unit_ids[i], new_programs[i], new_days[i],
            new_counts[i], new_channels[i], new_created_ats[i], new_source_keys[i])
        ON CONFLICT (source_key) DO NOTHING
        RETURNING e.* INTO stored;
        created := FOUND;
        IF NOT created THEN
            SELECT e.* INTO stored FROM entries e WHERE e.source_key = new_source_keys[i];
        END IF;
        standing_programs := NULL;
        standing_periods := NULL;
        standing_values := NULL;
        IF asked_periods[i] IS NOT NULL THEN
            SELECT array_agg(s.program), array_agg(s.period_key), array_agg(s.value)
            INTO standing_programs, standing_periods, standing_values
            FROM (
                SELECT q.program, q.period_key, q.value::BIGINT AS value FROM quotas q
                WHERE q.target_kind = 'member' AND q.target_id = stored.member_id
                UNION ALL SELECT t.program, NULL, sum(t.achieved) FROM entry_totals t
                WHERE t.period_key = asked_periods[i] AND t.member_id = stored.member_id
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
    END LOOP;
END $$;
