-- PostgreSQL counterpart of ../0031_member_channels.sql (issue 12): the channel each
-- member last wrote from.
CREATE TABLE IF NOT EXISTS member_channels (
    member_id BIGINT PRIMARY KEY REFERENCES members(id),
    channel TEXT NOT NULL,
    at TEXT NOT NULL
);
