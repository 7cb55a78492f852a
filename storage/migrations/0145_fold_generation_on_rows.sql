-- Issue 15: postgres/0145 makes PostgreSQL's fold generation move only with rows that
-- changed, as these row triggers of 0133 already do. Nothing changes in this file's schema.
SELECT 1;
