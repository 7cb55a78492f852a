-- PostgreSQL counterpart of ../0127_instr.sql: SQLite's `instr(text, part)` (the
-- 1-based place of `part` in `text`, 0 when absent), which the SQL both backends share
-- calls. It is PostgreSQL's `strpos` under SQLite's name; a plain SQL function, so the
-- planner inlines it.
CREATE OR REPLACE FUNCTION instr(text, text) RETURNS integer
LANGUAGE sql IMMUTABLE STRICT PARALLEL SAFE
AS 'SELECT strpos($1, $2)';
