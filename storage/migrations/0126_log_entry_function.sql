-- Issue 15: PostgreSQL runs a log's statements as one function, `log_entry`, whose plans
-- it keeps per connection (see postgres/0126). SQLite runs storage/entry_sql.py's
-- statements on its writer thread; nothing changes in this file's schema.
SELECT 1;
