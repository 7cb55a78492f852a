-- Issue 15: PostgreSQL turns its JIT compiler off for this database (see postgres/0115).
-- SQLite has no such thing. Nothing changes in this file's schema.
SELECT 1;
