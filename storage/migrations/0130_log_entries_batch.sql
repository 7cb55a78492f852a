-- Issue 15: PostgreSQL stores logs that arrive together with one statement,
-- `log_entries` (see postgres/0130), replacing 0126's `log_entry`. SQLite's writer
-- thread commits its queued entries together already; nothing changes in this schema.
SELECT 1;
