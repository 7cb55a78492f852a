-- Issue 15: on PostgreSQL a batch of logs is inserted by one statement and its running
-- totals kept by statement triggers (see postgres/0131). SQLite's row triggers keep
-- them as before; nothing changes in this file's schema.
SELECT 1;
