-- PostgreSQL counterpart of ../0006_participants.sql (issue 4, part 5).
--
-- The participant's code (CCCD, 12 digits, or legacy BHXH code, 10 digits) is personal
-- data (Decree 13/2023): it is never stored. `participant_hash` is its HMAC-SHA256 under
-- the operator's PARTICIPANT_HASH_SECRET (hex), `participant_last3` its last 3 digits for
-- people to recognise it. `rejoin`: 1 rejoining after a break, 0 new, NULL not said.
--
-- The same participant logged again (same hash and program, same calendar year, by
-- anyone) while an earlier entry still counts is stored as `rejected` with
-- state_reason 'duplicate' and `duplicate_of` the counting entry: inserted in that state,
-- so the entry_totals triggers of 0002 never count it, and /duyet cannot confirm it.
ALTER TABLE entries ADD COLUMN participant_hash TEXT;
ALTER TABLE entries ADD COLUMN participant_last3 TEXT;
ALTER TABLE entries ADD COLUMN rejoin INTEGER CHECK (rejoin IN (0, 1));
ALTER TABLE entries ADD COLUMN duplicate_of BIGINT REFERENCES entries(id);

-- The duplicate lookup and reconciliation: one indexed range per participant and program.
CREATE INDEX entries_participant ON entries(participant_hash, program, day)
    WHERE participant_hash IS NOT NULL;

-- A fingerprint of the secret the hashes were made with (an HMAC of a fixed text, not
-- the secret): a changed secret is refused loudly instead of silently missing duplicates.
CREATE TABLE participant_key (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    fingerprint TEXT NOT NULL
);
