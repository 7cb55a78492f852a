-- Issue 15: a lead's participant block takes off the period's kept total what was
-- logged after the day asked, in the units whose kept total was last logged after it
-- (storage/sqlite_enrolments.py); finding those units scanned every period's unit
-- totals, 4 ms of a national /donvi at 10M (20,000 rows for four periods, and more as a
-- year's periods are made). By period and time it is a range read of the few late ones.
CREATE INDEX unit_period_totals_late ON unit_period_totals (period_key, last_at);
