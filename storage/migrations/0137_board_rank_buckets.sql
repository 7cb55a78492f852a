-- Issue 15: PostgreSQL keeps a board's counts per bucket of the rank key (see
-- postgres/0137) to count where a country's lead stands. SQLite counts along its rank
-- index as before and leaves this table empty: it exists so that both schemas keep the
-- same tables (tests/test_postgres_schema.py).
CREATE TABLE board_rank_buckets (
    period_key TEXT NOT NULL,
    combo TEXT NOT NULL,
    bucket TEXT NOT NULL,
    ranked INTEGER NOT NULL,
    achieved INTEGER NOT NULL,
    target INTEGER NOT NULL,
    PRIMARY KEY (period_key, combo, bucket)
) WITHOUT ROWID;
