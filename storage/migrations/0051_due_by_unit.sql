-- A lead's /denhan counts the due dates of a whole province by unit (and of a small
-- unit by member) straight from this index, without reading the rows themselves.
DROP INDEX participant_terms_unit;
CREATE INDEX participant_terms_unit ON participant_terms(unit_id, paid_until, member_id);
