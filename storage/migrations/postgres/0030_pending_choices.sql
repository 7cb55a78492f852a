-- PostgreSQL counterpart of ../0030_pending_choices.sql (issue 12): one open question per
-- member and channel, in the database so any bot process can take the answer.
CREATE TABLE IF NOT EXISTS pending_choices (
    member_id BIGINT NOT NULL REFERENCES members(id),
    channel TEXT NOT NULL,
    options TEXT NOT NULL,
    confirms INTEGER NOT NULL CHECK (confirms IN (0, 1)),
    created_at TEXT NOT NULL,
    expires_at TEXT NOT NULL,
    PRIMARY KEY (member_id, channel)
);
