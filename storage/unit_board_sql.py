"""The SQL of unit boards (`/donvi`, the unit line of `/bxh`), shared by both backends.

`UNIT_PARTS` reads every unit of a scope (an export's row per unit). `FOLD_LOAD`
reads the same inputs folded onto the units the board shows: the scope's children,
plus every unit below with a plan of its own. Each other unit's credits and members'
targets are added to its nearest kept ancestor (the credits by the process, which keeps
the fold between views and reads again only the units changed since: `FOLD_CHANGES`,
storage/folded_cache.py). `leaderboards.units` runs the same rule
over the folded tree and gets the same rows, because a unit without a plan is measured
by the sum of what lies under it (tests/test_board_sql.py checks this against the
unfolded reference). A national board then hands Python 34 provinces, not 3,775 units.

Both read members' targets summed per unit (migration 0116). CROSS JOIN keeps SQLite on
the scope's units first; PostgreSQL orders joins for itself. `{programs}` is a list of
named parameters.
"""

from __future__ import annotations

# Per program: credits per unit (the program's entries summed, the latest time), unit
# plans, and members' targets summed per unit (their current unit).
UNIT_PARTS = """
SELECT 'credit', t.program, t.unit_id, sum(t.achieved), max(t.last_at)
FROM units u CROSS JOIN unit_period_totals t
WHERE u.lineage >= :low AND u.lineage < :high
  AND t.period_key = :period AND t.unit_id = u.id
  AND t.program IN ({programs}) AND t.last_at IS NOT NULL
GROUP BY t.program, t.unit_id
UNION ALL
SELECT 'unit', q.program, q.target_id, sum(q.target), NULL
FROM units u CROSS JOIN period_targets q
WHERE u.lineage >= :low AND u.lineage < :high
  AND q.period_key = :period AND q.target_kind = 'unit' AND q.target_id = u.id
  AND q.program IN ({programs})
GROUP BY q.program, q.target_id
UNION ALL
SELECT 'members', s.program, s.unit_id, s.target, NULL
FROM units u CROSS JOIN unit_member_targets s
WHERE u.lineage >= :low AND u.lineage < :high
  AND s.period_key = :period AND s.unit_id = u.id AND s.program IN ({programs})
"""

# The child of the scope that unit `{unit}` lies under, read off its lineage: a lineage is
# its units' ids from the root ('/1/2/3/'), and `:child_at` is where the segment after
# the scope's own lineage starts (its length + 1). No join, where matching every unit
# against every child's range was a quarter of a national board's statement. PostgreSQL
# has `instr` from migration 0127.
_CHILD_OF = (
    "CAST(substr({unit}.lineage, :child_at,"
    " instr(substr({unit}.lineage, :child_at), '/') - 1) AS BIGINT)"
)

# `kept`: the scope's children and the planned units below them. `deep`: each unit at or
# below a planned unit that is not a child of the scope, with every such planned unit at
# or above it, nearest first (1: the unit's owner; 2: a kept unit's own nearest planned
# ancestor). Plans below the children are few, so this join is small. `folded`: each
# unit of the scope with its owner, the nearest kept unit at or above it: a planned unit
# from `deep`, else the child it lies under; the scope stands for itself. The scope's
# range comes as values (:low, :high), so that PostgreSQL plans for its real size.
#
# Rows, as (part, program, key, a, b, c):
# - ('mark', NULL, generation, change mark): what the reading is current to
#   (storage/folded_cache.py): 0133's counter and `{mark}`, 0080's change cursor, both
#   read in this statement's snapshot;
# - ('unit', NULL, id, parent, path, group chat) for the scope and each kept unit
#   (parent: the nearest kept ancestor, else the scope);
# - ('owner', NULL, unit, owner) for every unit of the scope;
# - ('credit', program, unit, achieved, latest) per unit: its own totals, unfolded, so
#   that a unit's later change replaces them (the process adds them up per owner);
# - ('plan', program, kept unit, its plan) and ('members', program, owner, its units'
#   members' targets added up), folded.
FOLD_LOAD = f"""
WITH kept AS (
    SELECT u.id, u.lineage, u.parent_id FROM units u WHERE u.parent_id = :scope
    UNION
    SELECT u.id, u.lineage, u.parent_id FROM units u CROSS JOIN period_targets q
    WHERE u.lineage > :low AND u.lineage < :high
      AND q.period_key = :period AND q.target_kind = 'unit' AND q.target_id = u.id
      AND q.program IN ({{programs}})
),
deep AS (
    SELECT u.id AS unit_id, k.id AS owner_id,
        row_number() OVER (PARTITION BY u.id ORDER BY length(k.lineage) DESC) AS nearness
    FROM kept k CROSS JOIN units u
    WHERE k.parent_id <> :scope AND u.lineage >= k.lineage AND u.lineage < k.lineage || '~'
),
folded AS (
    SELECT u.id AS unit_id, coalesce(d.owner_id, {_CHILD_OF.format(unit="u")}) AS owner_id
    FROM units u LEFT JOIN deep d ON d.unit_id = u.id AND d.nearness = 1
    WHERE u.lineage > :low AND u.lineage < :high
    UNION ALL SELECT :scope, :scope
)
SELECT 'mark', NULL, (SELECT n FROM fold_generation WHERE id = 1), {{mark}}, NULL, NULL
UNION ALL
SELECT 'unit', NULL, u.id, u.parent_id, u.path, u.group_chat_id FROM units u WHERE u.id = :scope
UNION ALL
SELECT 'unit', NULL, u.id,
    CASE WHEN k.parent_id = :scope THEN :scope
        ELSE coalesce(o.owner_id, {_CHILD_OF.format(unit="u")}) END,
    u.path, u.group_chat_id
FROM kept k CROSS JOIN units u
LEFT JOIN deep o ON o.unit_id = k.id AND o.nearness = 2
WHERE u.id = k.id
UNION ALL
SELECT 'owner', NULL, f.unit_id, f.owner_id, NULL, NULL FROM folded f
UNION ALL
SELECT 'credit', c.program, c.unit_id, c.achieved, c.last_at, NULL
FROM folded f CROSS JOIN unit_period_totals c
WHERE c.period_key = :period AND c.unit_id = f.unit_id
  AND c.program IN ({{programs}}) AND c.last_at IS NOT NULL
UNION ALL
SELECT 'plan', q.program, q.target_id, sum(q.target), NULL, NULL
FROM (SELECT id FROM kept UNION ALL SELECT :scope) k CROSS JOIN period_targets q
WHERE q.period_key = :period AND q.target_kind = 'unit' AND q.target_id = k.id
  AND q.program IN ({{programs}})
GROUP BY q.program, q.target_id
UNION ALL
SELECT 'members', s.program, f.owner_id, CAST(sum(s.target) AS BIGINT), NULL, NULL
FROM folded f CROSS JOIN unit_member_targets s
WHERE s.period_key = :period AND s.unit_id = f.unit_id AND s.program IN ({{programs}})
GROUP BY s.program, f.owner_id
"""

# What changed under a kept fold since its mark: ('mark', NULL, generation, change mark,
# NULL, behind) as in FOLD_LOAD, `behind` 1 when board_cache must catch up first
# (`{behind}`, its NEEDS_PERIOD), then ('changed', NULL, unit) for each unit of the scope
# marked in `unit_changes` at or after the mark (`{after}`: PostgreSQL's marks are
# transaction ids, see migration postgres/0101; SQLite's one counter is exact), and each
# such unit's ('credit', ...) rows now. One statement, so the rows and the new marks
# share a snapshot; the view's only one when nothing is behind. The scope's range is a
# subquery here: the changed units lead, whatever the scope's size.
FOLD_CHANGES = """
WITH scope AS (SELECT lineage AS low, lineage || '~' AS high FROM units WHERE id = :scope),
changed AS (
    SELECT u.id FROM unit_changes x CROSS JOIN units u
    WHERE x.seq {after} :mark AND u.id = x.unit_id
      AND u.lineage >= (SELECT low FROM scope) AND u.lineage < (SELECT high FROM scope)
)
SELECT 'mark', NULL, (SELECT n FROM fold_generation WHERE id = 1), {mark}, NULL,
    CASE WHEN {behind} THEN 1 ELSE 0 END
UNION ALL
SELECT 'changed', NULL, id, NULL, NULL, NULL FROM changed
UNION ALL
SELECT 'credit', c.program, c.unit_id, c.achieved, c.last_at, NULL
FROM changed CROSS JOIN unit_period_totals c
WHERE c.period_key = :period AND c.unit_id = changed.id
  AND c.program IN ({programs}) AND c.last_at IS NOT NULL
"""
