-- Issue 15: on PostgreSQL the unit totals and board marks are kept by statement
-- triggers over entry_totals (see postgres/0132). SQLite's row triggers keep them as
-- before; nothing changes in this file's schema.
SELECT 1;
