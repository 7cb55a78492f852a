-- A question the bot asked and waits to hear back on (issue 12): "confirm this quota
-- change?", "which did you mean?", later Zalo's numbered lists. Kept here, not in a
-- process's memory, so any bot process can take the answer, and a restart loses nothing.
--
-- One open question per member and channel: a new one replaces the old. `options` is a
-- JSON list of command lines, in the order offered; answering runs one of them, and
-- `confirms` says whether running it counts as the member's confirmation.
CREATE TABLE IF NOT EXISTS pending_choices (
    member_id INTEGER NOT NULL REFERENCES members(id),
    channel TEXT NOT NULL,
    options TEXT NOT NULL,
    confirms INTEGER NOT NULL CHECK (confirms IN (0, 1)),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (member_id, channel)
);
