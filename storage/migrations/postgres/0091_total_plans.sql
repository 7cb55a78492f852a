-- PostgreSQL counterpart of ../0091_total_plans.sql.
CREATE TABLE total_plans (
    unit_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    period_key TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, program, period_key)
);
