-- A unit's plan for participants in total (số người tham gia), beside its enrolment
-- quotas in `quotas`: measured against the unit's participant count, not its entries
-- (issue 14). Kept apart so that boards and their caches never mistake one for the other.
CREATE TABLE total_plans (
    unit_id INTEGER NOT NULL,
    program TEXT NOT NULL,
    period_key TEXT NOT NULL,
    value INTEGER NOT NULL CHECK (value >= 0),
    updated_at TEXT NOT NULL,
    PRIMARY KEY (unit_id, program, period_key)
);
