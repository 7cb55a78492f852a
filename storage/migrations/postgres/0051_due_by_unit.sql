-- PostgreSQL counterpart of ../0051_due_by_unit.sql (issue 14): /denhan counts a whole
-- province's due dates by unit (and a small unit's by member) from this index alone.
DROP INDEX participant_terms_unit;
CREATE INDEX participant_terms_unit ON participant_terms(unit_id, paid_until, member_id);
