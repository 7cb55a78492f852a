-- Issue 15: members' targets added up per unit, kept ready for unit boards (/donvi and
-- the unit line of /bxh). Summing them per request read every member of the scope (a
-- whole country: 60,000 targets); now a scope reads one row per unit and program.
--
-- Like 0007's tables, nothing here is a source of truth. storage/board_cache.py fills a
-- period's sums from period_targets and members when a unit board of that period is
-- read and `member_target_periods` does not name it. Whatever changes a member's
-- target or unit forgets every period's sums: a quota book derived again (board_cache),
-- a member joining, leaving or moving (the triggers below). Both are rare next to
-- reading boards, and the next board sums again in one statement.
CREATE TABLE unit_member_targets (
    period_key TEXT NOT NULL,
    program TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    target INTEGER NOT NULL,
    PRIMARY KEY (period_key, unit_id, program)
) WITHOUT ROWID;

-- The periods whose sums are complete.
CREATE TABLE member_target_periods (period_key TEXT PRIMARY KEY) WITHOUT ROWID;

CREATE TRIGGER member_targets_on_member_insert AFTER INSERT ON members
BEGIN
    DELETE FROM member_target_periods;
END;

CREATE TRIGGER member_targets_on_member_move AFTER UPDATE OF unit_id ON members
WHEN OLD.unit_id IS NOT NEW.unit_id
BEGIN
    DELETE FROM member_target_periods;
END;

CREATE TRIGGER member_targets_on_member_delete AFTER DELETE ON members
BEGIN
    DELETE FROM member_target_periods;
END;
