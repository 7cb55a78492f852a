-- Issue 15: PostgreSQL indexes the unit totals by period and last log time (postgres/
-- 0147). SQLite reads a period's unit totals through their primary key, whose first
-- column is the period, and keeps its logging path as it is. Nothing changes here.
SELECT 1;
