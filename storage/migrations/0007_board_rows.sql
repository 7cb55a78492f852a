-- Leaderboards at province scale (issue 3): the inputs of a board, kept ready.
--
-- Ranking a province (5,000 people) from quotas and entry_totals on every /bxh meant
-- deriving 5,000 targets and summing 5,000 totals per request. Instead, a board's rows
-- are materialised per period and set of programs (a "combo": 'TN', 'YT', 'TN+YT'),
-- the first time a board of that period and combo is asked for, and kept current:
--   * entries: the triggers on entry_totals below move the unit's totals in the same
--     transaction as the entry, as 0002 does for entry_totals, and mark the member's
--     board rows of the entry's periods, which storage/board_cache.py recounts before
--     the next board of such a period is read;
--   * quotas and names: deriving a target (tracker.quotas.target_for) or a Vietnamese
--     sort key (leaderboards.ranking.name_order) needs Python, so triggers only mark
--     what changed; storage/board_cache.py catches up, in one write transaction, before
--     the next board is read. Every writer of `quotas` or `members` (the bot, an import,
--     a bulk load with plain sqlite3) is covered, because the marks are triggers;
--   * members moving or joining: the triggers below.
-- Nothing here is a source of truth: all of it can be dropped and rebuilt from quotas,
-- members and entry_totals (storage/board_cache.py does so after a large import).

-- Targets derived for a period, per member or unit and program: only where a quota
-- covers the period (target_for is not None), so a missing row means "no target".
CREATE TABLE period_targets (
    period_key TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    program TEXT NOT NULL,
    target INTEGER NOT NULL,
    PRIMARY KEY (period_key, target_kind, target_id, program)
) WITHOUT ROWID;

-- The periods period_targets holds complete, for every quota book (and unit_period_totals
-- holds, below).
CREATE TABLE target_periods (period_key TEXT PRIMARY KEY) WITHOUT ROWID;

-- Quota books changed since their targets were derived. (The triggers say ON CONFLICT DO
-- NOTHING, not INSERT OR IGNORE: an outer UPSERT's conflict policy would override that.)
CREATE TABLE stale_quotas (
    target_kind TEXT NOT NULL,
    target_id INTEGER NOT NULL,
    program TEXT NOT NULL,
    PRIMARY KEY (target_kind, target_id, program)
) WITHOUT ROWID;

CREATE TRIGGER stale_quotas_on_insert AFTER INSERT ON quotas
BEGIN
    INSERT INTO stale_quotas VALUES (NEW.target_kind, NEW.target_id, NEW.program)
        ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER stale_quotas_on_update AFTER UPDATE ON quotas
BEGIN
    INSERT INTO stale_quotas VALUES (OLD.target_kind, OLD.target_id, OLD.program)
        ON CONFLICT DO NOTHING;
    INSERT INTO stale_quotas VALUES (NEW.target_kind, NEW.target_id, NEW.program)
        ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER stale_quotas_on_delete AFTER DELETE ON quotas
BEGIN
    INSERT INTO stale_quotas VALUES (OLD.target_kind, OLD.target_id, OLD.program)
        ON CONFLICT DO NOTHING;
END;

-- A member's name as it sorts in Vietnamese (leaderboards.ranking.name_order): it breaks
-- ties inside a shared rank, in SQL as in Python.
CREATE TABLE member_sort_names (
    member_id INTEGER PRIMARY KEY,
    sort_key TEXT NOT NULL
);

-- Members whose sort key is missing or out of date.
CREATE TABLE stale_names (member_id INTEGER PRIMARY KEY);
INSERT INTO stale_names (member_id) SELECT id FROM members;

-- Which combos are materialised for a period, one row per program of the combo.
CREATE TABLE board_combos (
    period_key TEXT NOT NULL,
    combo TEXT NOT NULL,
    program TEXT NOT NULL,
    PRIMARY KEY (period_key, program, combo)
) WITHOUT ROWID;

-- One row per member (all of them, with or without a target or an entry) for each
-- materialised period and combo. `lineage` is the member's *current* unit's, first in
-- the key, so any subtree's rows are one contiguous range. `rank_key` sorts the rows
-- the way leaderboards.ranking.rank does: percent desc, achieved desc, reached first
-- (not reached last); equal keys share a rank. NULL: no target (or 0), not ranked.
CREATE TABLE board_rows (
    period_key TEXT NOT NULL,
    combo TEXT NOT NULL,
    lineage TEXT NOT NULL,
    member_id INTEGER NOT NULL,
    achieved INTEGER NOT NULL,
    reached TEXT,
    target INTEGER,
    rank_key TEXT GENERATED ALWAYS AS (
        CASE WHEN target > 0 THEN
            printf('%012d%012d', 999999999999 - achieved * 100 / target, 999999999999 - achieved)
            || coalesce(reached, '~')
        END
    ) STORED,
    PRIMARY KEY (period_key, combo, lineage, member_id)
) WITHOUT ROWID;

-- The top of a large scope without sorting it (small scopes sort their own range).
CREATE INDEX board_rows_rank ON board_rows (period_key, combo, rank_key);
-- A member's rows, for the triggers.
CREATE INDEX board_rows_member ON board_rows (member_id, period_key);

-- Unit boards credit entries to the unit they were logged in: entry_totals summed per
-- unit and program, kept for the materialised periods (target_periods) only. Summing a
-- province's 10,000 entry_totals rows per /donvi took longer than the rest of it.
CREATE TABLE unit_period_totals (
    period_key TEXT NOT NULL,
    unit_id INTEGER NOT NULL,
    program TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    last_at TEXT,
    PRIMARY KEY (period_key, unit_id, program)
) WITHOUT ROWID;

-- Members whose board rows of a period lag their entry_totals: storage/board_cache.py
-- recounts those rows before the next board of the period is read. Marking costs the
-- logging transaction one small row per period; moving the rows there and then cost it
-- up to 8 row and 8 index updates, and halved the logging rate once boards were viewed.
CREATE TABLE stale_board_members (
    period_key TEXT NOT NULL,
    member_id INTEGER NOT NULL,
    PRIMARY KEY (period_key, member_id)
) WITHOUT ROWID;

-- Entries: every change of entry_totals moves the unit's total (one row, in the same
-- statement) and marks the member's board rows. One trigger per event does both:
-- starting a trigger is a good part of its cost on the logging path. A later entry only
-- moves the last time forward; when a voided one takes it back, it is recounted.
CREATE TRIGGER boards_on_totals_insert AFTER INSERT ON entry_totals
WHEN EXISTS (SELECT 1 FROM target_periods WHERE period_key = NEW.period_key)
BEGIN
    INSERT INTO unit_period_totals (period_key, unit_id, program, achieved, last_at)
    VALUES (NEW.period_key, NEW.unit_id, NEW.program, NEW.achieved, NEW.last_at)
    ON CONFLICT DO UPDATE SET
        achieved = achieved + excluded.achieved,
        last_at = nullif(max(coalesce(last_at, ''), coalesce(excluded.last_at, '')), '');
    INSERT INTO stale_board_members VALUES (NEW.period_key, NEW.member_id)
        ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER boards_on_totals_update AFTER UPDATE ON entry_totals
WHEN EXISTS (SELECT 1 FROM target_periods WHERE period_key = NEW.period_key)
BEGIN
    UPDATE unit_period_totals SET
        achieved = achieved + NEW.achieved - OLD.achieved,
        last_at = CASE WHEN NEW.last_at >= coalesce(OLD.last_at, '')
            THEN max(coalesce(last_at, ''), NEW.last_at)
            ELSE (SELECT max(t.last_at) FROM entry_totals t WHERE t.period_key = NEW.period_key
                  AND t.unit_id = NEW.unit_id AND t.program = NEW.program) END
    WHERE period_key = NEW.period_key AND unit_id = NEW.unit_id AND program = NEW.program;
    INSERT INTO stale_board_members VALUES (NEW.period_key, NEW.member_id)
        ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER boards_on_totals_delete AFTER DELETE ON entry_totals
WHEN EXISTS (SELECT 1 FROM target_periods WHERE period_key = OLD.period_key)
BEGIN
    UPDATE unit_period_totals SET
        achieved = achieved - OLD.achieved,
        last_at = (SELECT max(t.last_at) FROM entry_totals t WHERE t.period_key = OLD.period_key
                   AND t.unit_id = OLD.unit_id AND t.program = OLD.program)
    WHERE period_key = OLD.period_key AND unit_id = OLD.unit_id AND program = OLD.program;
    INSERT INTO stale_board_members VALUES (OLD.period_key, OLD.member_id)
        ON CONFLICT DO NOTHING;
END;

-- A new member gets a row in every materialised board (and a sort key, lazily).
CREATE TRIGGER board_rows_on_member_insert AFTER INSERT ON members
BEGIN
    INSERT INTO stale_names (member_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    INSERT INTO board_rows (period_key, combo, lineage, member_id, achieved, reached, target)
    SELECT b.period_key, b.combo, u.lineage, NEW.id,
        (SELECT coalesce(sum(t.achieved), 0) FROM entry_totals t
         WHERE t.period_key = b.period_key AND t.member_id = NEW.id
           AND t.program IN (SELECT c.program FROM board_combos c
                             WHERE c.period_key = b.period_key AND c.combo = b.combo)),
        (SELECT max(t.last_at) FROM entry_totals t
         WHERE t.period_key = b.period_key AND t.member_id = NEW.id
           AND t.program IN (SELECT c.program FROM board_combos c
                             WHERE c.period_key = b.period_key AND c.combo = b.combo)),
        (SELECT sum(q.target) FROM period_targets q
         WHERE q.period_key = b.period_key AND q.target_kind = 'member' AND q.target_id = NEW.id
           AND q.program IN (SELECT c.program FROM board_combos c
                             WHERE c.period_key = b.period_key AND c.combo = b.combo))
    FROM (SELECT DISTINCT period_key, combo FROM board_combos) b
    JOIN units u ON u.id = NEW.unit_id;
END;

CREATE TRIGGER board_rows_on_member_rename AFTER UPDATE OF name ON members
WHEN OLD.name IS NOT NEW.name
BEGIN
    INSERT INTO stale_names (member_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
END;

-- A person board lists the people *now* in the subtree: a move takes all their rows along.
CREATE TRIGGER board_rows_on_member_move AFTER UPDATE OF unit_id ON members
WHEN OLD.unit_id IS NOT NEW.unit_id
BEGIN
    UPDATE board_rows SET lineage = (SELECT lineage FROM units WHERE id = NEW.unit_id)
    WHERE member_id = NEW.id;
END;

CREATE TRIGGER board_rows_on_member_delete AFTER DELETE ON members
BEGIN
    DELETE FROM board_rows WHERE member_id = OLD.id;
    DELETE FROM member_sort_names WHERE member_id = OLD.id;
    DELETE FROM stale_names WHERE member_id = OLD.id;
END;

CREATE TRIGGER board_rows_on_lineage_change AFTER UPDATE OF lineage ON units
WHEN OLD.lineage IS NOT NEW.lineage
BEGIN
    UPDATE board_rows SET lineage = NEW.lineage
    WHERE member_id IN (SELECT id FROM members WHERE unit_id = NEW.id);
END;
