"""Statements whose plans PostgreSQL keeps from one call to the next, behind PgBouncer.

Statements are never prepared (storage/postgres.py: a PgBouncer in transaction mode may
hand the next statement to another server connection), so each one is planned at every
call: 4 ms for a board's slice, more than it takes to run for a commune. A PL/pgSQL
function keeps the plans of its statements in the server session that runs it,
whichever client sent the call, so a statement wrapped in one is planned once per
server connection. `KeptPlan` wraps a statement written for both backends (its text
stays in its feature store, with SQLite's `:name` placeholders): SQLite runs the
statement, PostgreSQL calls the function generated from the same text, created by
`migrate` (`install`) and replaced whenever the text changes.

The kept plan is the generic one (`plan_cache_mode`): only statements whose shape does
not depend on the values (a scope read once and sorted; lookups by key) belong here.
A country's board walks the rank index and is planned for its values at every call: a
generic plan of it read the whole country for its top ten (200 ms, not 15).
"""

from __future__ import annotations

import hashlib
import re
from dataclasses import dataclass
from typing import Any

from psycopg import AsyncConnection

from storage.sql import to_pyformat

# `%(name)s` and `%%` as storage.sql.to_pyformat writes them: its parsing of quotes,
# comments and casts is reused rather than written again.
_PYFORMAT = re.compile(r"%%|%\((\w+)\)s")


@dataclass(frozen=True)
class KeptPlan:
    """`sql` (SQLite's placeholders) as a PostgreSQL function `name`."""

    name: str
    sql: str
    params: dict[str, str]
    """The SQL type of each `:name` placeholder of `sql`."""
    columns: tuple[tuple[str, str], ...]
    """Each column of `sql`'s rows, in order, with its SQL type (the function's rows are
    cast to them: a function declares its result)."""

    def _placeholders(self) -> tuple[str, list[str]]:
        """The statement with `$1`, `$2`... and the names they stand for, in order."""
        names: list[str] = []

        def numbered(match: re.Match[str]) -> str:
            name = match.group(1)
            if name is None:
                return "%"
            if name not in names:
                names.append(name)
            return f"${names.index(name) + 1}"

        return _PYFORMAT.sub(numbered, to_pyformat(self.sql)), names

    @property
    def call(self) -> str:
        """The call, with the statement's placeholders (the same parameters)."""
        _, names = self._placeholders()
        args = ", ".join(f":{name}::{self.params[name]}" for name in names)
        return f"SELECT * FROM {self.name}({args})"

    @property
    def definition(self) -> str:
        """CREATE FUNCTION, its body marked with a digest of the whole definition."""
        body, names = self._placeholders()
        aliases = ", ".join(f"c{n}" for n in range(len(self.columns)))
        cast = ", ".join(f"q.c{n}::{kind}" for n, (_, kind) in enumerate(self.columns))
        result = ", ".join(f"{column} {kind}" for column, kind in self.columns)
        # use_column: the result's names are variables of the function, and a column of
        # the same name in the statement means the column.
        source = (
            "\n#variable_conflict use_column\nBEGIN\n"
            f"RETURN QUERY SELECT {cast} FROM (\n{body}\n) AS q({aliases});\nEND\n"
        )
        args = ", ".join(self.params[name] for name in names)
        head = (
            f"CREATE FUNCTION {self.name}({args}) RETURNS TABLE ({result})"
            " LANGUAGE plpgsql STABLE SET plan_cache_mode = force_generic_plan"
        )
        digest = hashlib.sha256((head + source).encode()).hexdigest()[:16]
        return f"{head} AS $kept$\n-- {digest}{source}$kept$"

    @property
    def source(self) -> str:
        """The function's body as the server stores it (`pg_proc.prosrc`)."""
        return self.definition.split("$kept$")[1]


async def install(connection: AsyncConnection[Any], plans: tuple[KeptPlan, ...]) -> None:
    """Create each function the database lacks or holds in another version (inside the
    caller's transaction, under its migration lock)."""
    for plan in plans:
        cursor = await connection.execute(
            "SELECT prosrc FROM pg_proc WHERE proname = %s", (plan.name,)
        )
        stored = [source for (source,) in await cursor.fetchall()]
        if stored == [plan.source]:
            continue
        if stored:
            await connection.execute(f"DROP FUNCTION {plan.name}")
        await connection.execute(plan.definition.encode())
