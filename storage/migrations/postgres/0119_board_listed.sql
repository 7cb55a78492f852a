-- PostgreSQL counterpart of ../0119_board_listed.sql: whether a board row's member is on
-- the board, kept by storage/board_cache.py; a role changing marks the member.
ALTER TABLE board_rows ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
DELETE FROM board_rows;
DELETE FROM board_combos;
DELETE FROM stale_board_members;

CREATE FUNCTION board_rows_on_role_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stale_names (member_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER board_rows_on_role_change AFTER UPDATE OF role ON members
FOR EACH ROW WHEN (OLD.role IS DISTINCT FROM NEW.role)
EXECUTE FUNCTION board_rows_on_role_change();
