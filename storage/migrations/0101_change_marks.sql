-- Issue 15: PostgreSQL stops counting changes on one row (see postgres/0101). SQLite
-- keeps 0080's counter: it has one writer anyway, so the row adds no waiting, and the
-- counter is an exact cursor there. Nothing changes in this file's schema.
SELECT 1;
