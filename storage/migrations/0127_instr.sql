-- Issue 15: the folded unit board (storage/unit_board_sql.py) reads a unit's child of
-- the scope off its lineage with `instr`, which SQLite has built in; PostgreSQL gets it
-- in postgres/0127. Nothing changes in this file's schema.
SELECT 1;
