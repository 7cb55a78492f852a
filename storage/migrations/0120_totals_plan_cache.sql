-- Issue 15: PostgreSQL's running-total function becomes PL/pgSQL, whose statements keep
-- their plans for the connection (see postgres/0120). SQLite's totals are triggers
-- already; nothing changes in this file's schema.
SELECT 1;
