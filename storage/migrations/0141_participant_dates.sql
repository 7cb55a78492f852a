-- Issue 15: a country's retention figures read the period's renewals and paid-until
-- dates; PostgreSQL gets indexes on those dates in postgres/0141 (it scanned 200,000
-- renewals and 600,000 terms for a month). SQLite keeps its plans: its statements probe
-- per unit through the (unit_id, date) indexes. Nothing changes in this file's schema.
SELECT 1;
