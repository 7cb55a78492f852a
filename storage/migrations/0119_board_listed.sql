-- Issue 15: a board row says whether its member is on the board (`listed`): everyone
-- but a lead or admin without any quota of the combo's programs. The board statements
-- tested it with two lookups per row, four times over; planning them took longer than
-- running them (PostgreSQL, a commune's /bxh). storage/board_cache.py keeps the flag
-- (board_cache.LISTED_OF_ROW) wherever a row's target, quotas or member change; a role
-- changing marks the member, as a new name does. The rows are a cache: they are dropped
-- here and the next board of each period materialises its own again.
ALTER TABLE board_rows ADD COLUMN listed INTEGER NOT NULL DEFAULT 1;
DELETE FROM board_rows;
DELETE FROM board_combos;
DELETE FROM stale_board_members;

CREATE TRIGGER board_rows_on_role_change AFTER UPDATE OF role ON members
WHEN OLD.role IS NOT NEW.role
BEGIN
    INSERT INTO stale_names (member_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
END;
