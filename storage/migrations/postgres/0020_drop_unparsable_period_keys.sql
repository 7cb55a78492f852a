-- PostgreSQL counterpart of ../0020_drop_unparsable_period_keys.sql (issue 11): drop
-- board rows and quotas under period keys outside the years 2000-2100.
DELETE FROM stale_board_members WHERE NOT (period_key ~ '^[0-9]{4}' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM board_rows WHERE NOT (period_key ~ '^[0-9]{4}' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM board_combos WHERE NOT (period_key ~ '^[0-9]{4}' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM unit_period_totals WHERE NOT (period_key ~ '^[0-9]{4}' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM period_targets WHERE NOT (period_key ~ '^[0-9]{4}' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM target_periods WHERE NOT (period_key ~ '^[0-9]{4}' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
DELETE FROM quotas WHERE NOT (period_key ~ '^[0-9]{4}' AND substr(period_key, 1, 4) BETWEEN '2000' AND '2100');
