-- Issue 15: 0080's one `change_counter` row was updated by every logging transaction, so
-- 64 concurrent loggers queued on its row lock. Now each changed unit's row in
-- `unit_changes` is marked with the writing transaction's id, and nothing else is
-- shared: two loggers in different units never wait for each other (two in one unit
-- already share its running-total rows).
--
-- A reader (the office TV's hub) asks for units marked by transactions at or after its
-- last horizon: the oldest transaction still running when it last looked
-- (pg_snapshot_xmin). Anything that commits later has an id at or above that horizon,
-- so no change is missed whatever order transactions commit in; a change may be reported
-- twice while an older transaction runs (the hub then finds the same board and sends
-- nothing).
CREATE OR REPLACE FUNCTION unit_changes_mark() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    mark BIGINT := pg_current_xact_id()::text::bigint;
BEGIN
    INSERT INTO unit_changes AS u (unit_id, seq)
        SELECT NEW.unit_id, mark
        UNION SELECT m.unit_id, mark FROM members m WHERE m.id = NEW.member_id
        ON CONFLICT (unit_id) DO UPDATE SET seq = excluded.seq
        WHERE u.seq IS DISTINCT FROM excluded.seq;
    RETURN NULL;
END $$;

-- A revoked link marks nothing: its transaction moves the horizon, and the hub looks at
-- revoked screens whenever the horizon moves.
DROP TRIGGER change_counter_on_screen_revoke ON screens;

CREATE INDEX unit_changes_by_mark ON unit_changes (seq);
