-- Issue 15: on PostgreSQL (postgres/0146) each log adds its own board mark, so that a
-- catch-up clears only the marks it recounted. SQLite has one writer: a catch-up and a
-- log never overlap, and one mark a member stays enough. Nothing changes here.
SELECT 1;
