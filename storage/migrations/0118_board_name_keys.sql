-- Issue 15: a board row carries its member's Vietnamese sort key (0007's
-- member_sort_names), and the rank index holds the board's whole order: rank key, name
-- key, member id. A large board walks its top and a member's neighbours straight from
-- the index. Before, people tied on the rank key (everyone still at 0) were sorted by a
-- name looked up one by one: 20,000 look-ups for a national lead's neighbours.
-- storage/board_cache.py writes the key when it materialises a board and again when a
-- name changes (a new member's rows get theirs at the next catch-up, which runs before
-- any board is read).
ALTER TABLE board_rows ADD COLUMN name_key TEXT NOT NULL DEFAULT '';
UPDATE board_rows SET name_key = coalesce(
    (SELECT k.sort_key FROM member_sort_names k WHERE k.member_id = board_rows.member_id), '');
DROP INDEX board_rows_rank;
CREATE INDEX board_rows_rank ON board_rows (period_key, combo, rank_key, name_key, member_id);
