-- PostgreSQL counterpart of ../0141_participant_dates.sql: a country's retention figures
-- read the period's renewals (by day or missed date) and paid-until dates through these
-- indexes rather than scanning every renewal and term (10M copy with 200,000 renewals
-- and 600,000 terms: the national statement 200-260 -> 75-120 ms).
CREATE INDEX renewals_day ON renewals(day);
CREATE INDEX renewals_due_was ON renewals(due_was);
CREATE INDEX participant_terms_paid_until ON participant_terms(paid_until);
