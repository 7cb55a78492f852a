"""Statements PostgreSQL runs as generated functions (storage/kept_plans.py): the same
rows as the statement, created once, replaced when the statement changes."""

from __future__ import annotations

import psycopg

from storage.kept_plans import KeptPlan, install
from storage.sql import to_pyformat

# Placeholders used twice and out of order, a literal and a comment that look like
# placeholders, a cast and a percent sign.
_SQL = (
    "SELECT n, n * :step::integer AS scaled, ':step %' AS text_of, :label -- :not_one, 100%\n"
    "FROM generate_series(1, :count) AS n WHERE n <> :step"
)
_PLAN = KeptPlan(
    "kept_test_series",
    _SQL,
    {"step": "integer", "label": "text", "count": "integer"},
    (("n", "integer"), ("scaled", "integer"), ("text_of", "text"), ("label", "text")),
)
_PARAMS = {"step": 2, "label": "hai", "count": 4}


def test_placeholders_are_numbered_in_the_order_of_first_use() -> None:
    assert _PLAN.call == (
        "SELECT * FROM kept_test_series(:step::integer, :label::text, :count::integer)"
    )
    assert (
        "SELECT n, n * $1::integer AS scaled, ':step %' AS text_of, $2 -- :not_one, 100%\n"
        "FROM generate_series(1, $3) AS n WHERE n <> $1"
    ) in _PLAN.definition


async def test_the_function_returns_the_statements_rows(postgres_url: str) -> None:
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as db:
        await install(db, (_PLAN,))
        called = await (await db.execute(to_pyformat(_PLAN.call), _PARAMS)).fetchall()
        direct = await (await db.execute(to_pyformat(_PLAN.sql), _PARAMS)).fetchall()
    assert (
        called
        == direct
        == [(1, 2, ":step %", "hai"), (3, 6, ":step %", "hai"), (4, 8, ":step %", "hai")]
    )


async def test_a_function_is_created_once_and_replaced_when_its_statement_changes(
    postgres_url: str,
) -> None:
    async def stored(db: psycopg.AsyncConnection[tuple[object, ...]]) -> list[tuple[object, ...]]:
        cursor = await db.execute(
            "SELECT oid, prosrc FROM pg_proc WHERE proname = %s", (_PLAN.name,)
        )
        return await cursor.fetchall()

    changed = KeptPlan(
        _PLAN.name, _SQL.replace("n <> :step", "n > :step"), _PLAN.params, _PLAN.columns
    )
    async with await psycopg.AsyncConnection.connect(postgres_url, autocommit=True) as db:
        await install(db, (_PLAN,))
        [(first, _)] = await stored(db)
        await install(db, (_PLAN,))
        assert await stored(db) == [(first, _PLAN.source)]  # kept as it was
        await install(db, (changed,))
        [(oid, source)] = await stored(db)
        assert (oid != first, source) == (True, changed.source)
        rows = await (await db.execute(to_pyformat(changed.call), _PARAMS)).fetchall()
    assert [row[0] for row in rows] == [3, 4]
