-- SMS channel (issue 5).
--
-- An unknown number gets one short refusal a day. All we keep about it is a keyed hash
-- of the number (HMAC, so the table cannot be reversed by trying every mobile number)
-- and the local day; rows of past days are deleted as new ones arrive.
CREATE TABLE sms_refusals (
    number_hash TEXT NOT NULL,
    day TEXT NOT NULL,
    PRIMARY KEY (number_hash, day)
) WITHOUT ROWID;

-- SMS the bot pushed (reminders, summaries, notices) per member's number and local day,
-- for the daily cap; replies to a member's own message are not counted.
CREATE TABLE sms_outbound_daily (
    phone TEXT NOT NULL,
    day TEXT NOT NULL,
    sent INTEGER NOT NULL CHECK (sent >= 0),
    PRIMARY KEY (phone, day)
) WITHOUT ROWID;
