-- The channel each member last wrote from (issue 12): a notice for them goes there first,
-- whichever channel caused it (a duplicate logged by SMS reaches a lead on Telegram).
CREATE TABLE IF NOT EXISTS member_channels (
    member_id INTEGER PRIMARY KEY REFERENCES members(id),
    channel TEXT NOT NULL,
    at TEXT NOT NULL
);
