-- Which process claimed a delivery (`host:pid:start`): a delivery still `sending` is cut
-- off only when that process is gone, so a second process starting beside a live one
-- leaves the first one's sends alone. NULL for rows claimed before this column existed.
ALTER TABLE schedule_deliveries ADD COLUMN owner TEXT;
