-- PostgreSQL counterpart of ../0004_sms.sql: SMS refusals and the daily push cap.
CREATE TABLE sms_refusals (
    number_hash TEXT NOT NULL,
    day TEXT NOT NULL,
    PRIMARY KEY (number_hash, day)
);

CREATE TABLE sms_outbound_daily (
    phone TEXT NOT NULL,
    day TEXT NOT NULL,
    sent INTEGER NOT NULL CHECK (sent >= 0),
    PRIMARY KEY (phone, day)
);
