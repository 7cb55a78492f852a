-- PostgreSQL counterpart of ../0007_board_rows.sql: the materialised inputs of boards,
-- with the same tables, keys and marks; see that file for why each exists.
-- storage/board_cache.py catches up on both backends with the same statements.
CREATE TABLE period_targets (
    period_key TEXT NOT NULL,
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    target INTEGER NOT NULL,
    PRIMARY KEY (period_key, target_kind, target_id, program)
);

CREATE TABLE target_periods (period_key TEXT PRIMARY KEY);

CREATE TABLE stale_quotas (
    target_kind TEXT NOT NULL,
    target_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    PRIMARY KEY (target_kind, target_id, program)
);

CREATE FUNCTION stale_quotas_mark() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        INSERT INTO stale_quotas VALUES (OLD.target_kind, OLD.target_id, OLD.program)
            ON CONFLICT DO NOTHING;
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        INSERT INTO stale_quotas VALUES (NEW.target_kind, NEW.target_id, NEW.program)
            ON CONFLICT DO NOTHING;
    END IF;
    RETURN NULL;
END $$;
CREATE TRIGGER stale_quotas_mark AFTER INSERT OR UPDATE OR DELETE ON quotas
FOR EACH ROW EXECUTE FUNCTION stale_quotas_mark();

CREATE TABLE member_sort_names (
    member_id BIGINT PRIMARY KEY,
    sort_key TEXT NOT NULL
);

CREATE TABLE stale_names (member_id BIGINT PRIMARY KEY);
INSERT INTO stale_names (member_id) SELECT id FROM members;

CREATE TABLE board_combos (
    period_key TEXT NOT NULL,
    combo TEXT NOT NULL,
    program TEXT NOT NULL,
    PRIMARY KEY (period_key, program, combo)
);

-- rank_key: as SQLite's printf('%012d%012d', ...) || coalesce(reached, '~').
CREATE TABLE board_rows (
    period_key TEXT NOT NULL,
    combo TEXT NOT NULL,
    lineage TEXT NOT NULL,
    member_id BIGINT NOT NULL,
    achieved INTEGER NOT NULL,
    reached TEXT,
    target INTEGER,
    rank_key TEXT GENERATED ALWAYS AS (
        CASE WHEN target > 0 THEN
            lpad((999999999999 - achieved::bigint * 100 / target)::text, 12, '0')
            || lpad((999999999999 - achieved::bigint)::text, 12, '0')
            || coalesce(reached, '~')
        END
    ) STORED,
    PRIMARY KEY (period_key, combo, lineage, member_id)
);
CREATE INDEX board_rows_rank ON board_rows (period_key, combo, rank_key);
CREATE INDEX board_rows_member ON board_rows (member_id, period_key);

CREATE TABLE unit_period_totals (
    period_key TEXT NOT NULL,
    unit_id BIGINT NOT NULL,
    program TEXT NOT NULL,
    achieved INTEGER NOT NULL,
    last_at TEXT,
    PRIMARY KEY (period_key, unit_id, program)
);

CREATE TABLE stale_board_members (
    period_key TEXT NOT NULL,
    member_id BIGINT NOT NULL,
    PRIMARY KEY (period_key, member_id)
);

-- One trigger function for the three events of entry_totals, as on SQLite. (A trigger's
-- WHEN may not hold a subquery here: the materialised-period test is in the body.)
CREATE FUNCTION boards_on_totals() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
    changed entry_totals;
BEGIN
    IF TG_OP = 'DELETE' THEN changed := OLD; ELSE changed := NEW; END IF;
    IF NOT EXISTS (SELECT 1 FROM target_periods WHERE period_key = changed.period_key) THEN
        RETURN NULL;
    END IF;
    IF TG_OP = 'INSERT' THEN
        INSERT INTO unit_period_totals AS u (period_key, unit_id, program, achieved, last_at)
        VALUES (NEW.period_key, NEW.unit_id, NEW.program, NEW.achieved, NEW.last_at)
        ON CONFLICT (period_key, unit_id, program) DO UPDATE SET
            achieved = u.achieved + excluded.achieved,
            last_at = greatest(u.last_at, excluded.last_at);
    ELSIF TG_OP = 'UPDATE' THEN
        UPDATE unit_period_totals u SET
            achieved = u.achieved + NEW.achieved - OLD.achieved,
            last_at = CASE WHEN NEW.last_at >= coalesce(OLD.last_at, '')
                THEN greatest(u.last_at, NEW.last_at)
                ELSE (SELECT max(t.last_at) FROM entry_totals t
                      WHERE t.period_key = NEW.period_key AND t.unit_id = NEW.unit_id
                        AND t.program = NEW.program) END
        WHERE u.period_key = NEW.period_key AND u.unit_id = NEW.unit_id
          AND u.program = NEW.program;
    ELSE
        UPDATE unit_period_totals u SET
            achieved = u.achieved - OLD.achieved,
            last_at = (SELECT max(t.last_at) FROM entry_totals t
                       WHERE t.period_key = OLD.period_key AND t.unit_id = OLD.unit_id
                         AND t.program = OLD.program)
        WHERE u.period_key = OLD.period_key AND u.unit_id = OLD.unit_id
          AND u.program = OLD.program;
    END IF;
    INSERT INTO stale_board_members VALUES (changed.period_key, changed.member_id)
        ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER boards_on_totals AFTER INSERT OR UPDATE OR DELETE ON entry_totals
FOR EACH ROW EXECUTE FUNCTION boards_on_totals();

CREATE FUNCTION board_rows_on_member_insert() RETURNS trigger LANGUAGE plpgsql AS $$
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
    RETURN NULL;
END $$;
CREATE TRIGGER board_rows_on_member_insert AFTER INSERT ON members
FOR EACH ROW EXECUTE FUNCTION board_rows_on_member_insert();

CREATE FUNCTION board_rows_on_member_rename() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO stale_names (member_id) VALUES (NEW.id) ON CONFLICT DO NOTHING;
    RETURN NULL;
END $$;
CREATE TRIGGER board_rows_on_member_rename AFTER UPDATE OF name ON members
FOR EACH ROW WHEN (OLD.name IS DISTINCT FROM NEW.name)
EXECUTE FUNCTION board_rows_on_member_rename();

CREATE FUNCTION board_rows_on_member_move() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE board_rows SET lineage = (SELECT lineage FROM units WHERE id = NEW.unit_id)
    WHERE member_id = NEW.id;
    RETURN NULL;
END $$;
CREATE TRIGGER board_rows_on_member_move AFTER UPDATE OF unit_id ON members
FOR EACH ROW WHEN (OLD.unit_id IS DISTINCT FROM NEW.unit_id)
EXECUTE FUNCTION board_rows_on_member_move();

CREATE FUNCTION board_rows_on_member_delete() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    DELETE FROM board_rows WHERE member_id = OLD.id;
    DELETE FROM member_sort_names WHERE member_id = OLD.id;
    DELETE FROM stale_names WHERE member_id = OLD.id;
    RETURN NULL;
END $$;
CREATE TRIGGER board_rows_on_member_delete AFTER DELETE ON members
FOR EACH ROW EXECUTE FUNCTION board_rows_on_member_delete();

CREATE FUNCTION board_rows_on_lineage_change() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    UPDATE board_rows SET lineage = NEW.lineage
    WHERE member_id IN (SELECT id FROM members WHERE unit_id = NEW.id);
    RETURN NULL;
END $$;
CREATE TRIGGER board_rows_on_lineage_change AFTER UPDATE OF lineage ON units
FOR EACH ROW WHEN (OLD.lineage IS DISTINCT FROM NEW.lineage)
EXECUTE FUNCTION board_rows_on_lineage_change();
