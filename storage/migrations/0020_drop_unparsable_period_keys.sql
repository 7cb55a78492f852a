-- Issue 11: `/bxh 0001-W01` once materialised a board for the key `1-W01`, which no code
-- parses back, and every board failed after the next quota change. Periods are now
-- refused outside the years 2000-2100 where they are parsed; this drops what slipped in
-- before. The board tables are a cache (rebuilt on the next /bxh); a quota under such a
-- key (`/chitieu ... 0001 5` wrote `1`) was never reachable by any board or report.
DELETE FROM stale_board_members WHERE NOT (period_key GLOB '[0-9][0-9][0-9][0-9]*' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM board_rows WHERE NOT (period_key GLOB '[0-9][0-9][0-9][0-9]*' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM board_combos WHERE NOT (period_key GLOB '[0-9][0-9][0-9][0-9]*' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM unit_period_totals WHERE NOT (period_key GLOB '[0-9][0-9][0-9][0-9]*' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM period_targets WHERE NOT (period_key GLOB '[0-9][0-9][0-9][0-9]*' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM target_periods WHERE NOT (period_key GLOB '[0-9][0-9][0-9][0-9]*' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM quotas WHERE NOT (period_key GLOB '[0-9][0-9][0-9][0-9]*' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
