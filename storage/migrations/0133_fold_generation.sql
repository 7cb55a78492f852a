-- Issue 15: a unit board's folded subtree is kept by each process between views
-- (storage/folded_cache.py); this counter says when it must be read again whole. It
-- moves with whatever changes the shape of the fold or a unit's members' targets: units
-- (added, moved, renamed, a group linked), unit plans (period_targets of kind 'unit'),
-- members' targets summed per unit, and the periods materialised. None of these is
-- written by logging, so the one row is never a queue for loggers. Entries change only
-- unit totals, which the cache reads again per unit marked in `unit_changes` (0080).
-- Members' own targets reach the fold only through unit_member_targets, which
-- board_cache sums again after any of them changes: its rows move the counter.
CREATE TABLE fold_generation (
    id INTEGER PRIMARY KEY CHECK (id = 1),
    n INTEGER NOT NULL
);
INSERT INTO fold_generation (id, n) VALUES (1, 0);

CREATE TRIGGER fold_generation_on_unit_insert AFTER INSERT ON units
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER fold_generation_on_unit_update AFTER UPDATE ON units
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER fold_generation_on_unit_delete AFTER DELETE ON units
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER fold_generation_on_plan_insert AFTER INSERT ON period_targets
WHEN NEW.target_kind = 'unit'
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER fold_generation_on_plan_update AFTER UPDATE ON period_targets
WHEN OLD.target_kind = 'unit' OR NEW.target_kind = 'unit'
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER fold_generation_on_plan_delete AFTER DELETE ON period_targets
WHEN OLD.target_kind = 'unit'
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER fold_generation_on_member_targets_insert AFTER INSERT ON unit_member_targets
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER fold_generation_on_member_targets_update AFTER UPDATE ON unit_member_targets
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER fold_generation_on_member_targets_delete AFTER DELETE ON unit_member_targets
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;

CREATE TRIGGER fold_generation_on_period_insert AFTER INSERT ON target_periods
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;
CREATE TRIGGER fold_generation_on_period_delete AFTER DELETE ON target_periods
BEGIN UPDATE fold_generation SET n = n + 1 WHERE id = 1; END;
