"""A synthetic country on PostgreSQL for the national benchmark: 34 provinces, ~3,300
communes, 60,000 members, 10M entries (`--quick`: far fewer), in a schema made by the
real repository (its migrations, indexes and triggers).

Units, members and quotas go in with COPY. The entries are drawn by the server itself
(`INSERT ... SELECT` over `generate_series` with a seeded `random()`: the same country
for the same seed), with triggers off (`session_replication_role = replica`); their
running totals are then built in one set-based statement, as migration 0002 does; no
board has been viewed yet, so there is nothing else for the triggers to keep. Each
table's indexes are built once, after its rows. Drawing each entry in Python and
sending it with COPY took about six minutes a million entries.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import psycopg

COUNTRY = "BHXH Việt Nam"
PROVINCES = 34


@dataclass(frozen=True)
class Size:
    offices_per_province: int
    communes_per_office: int
    members: int
    entries: int


FULL = Size(10, 10, 60_000, 10_000_000)  # 3,400 communes
QUICK = Size(2, 3, 2_000, 40_000)


@dataclass(frozen=True)
class Country:
    provinces: list[int]
    offices: list[int]
    communes: list[int]
    officer_commune: int
    """Where member 1 works."""


def _units(size: Size) -> tuple[list[tuple[int, int | None, str, str]], Country]:
    units: list[tuple[int, int | None, str, str]] = [(1, None, COUNTRY, "/1/")]
    provinces, offices, communes = [], [], []
    for p in range(PROVINCES):
        province_id = len(units) + 1
        province_path = f"{COUNTRY} / BHXH tỉnh {p + 1}"
        units.append((province_id, 1, province_path, f"/1/{province_id}/"))
        provinces.append(province_id)
        for o in range(size.offices_per_province):
            office_id = len(units) + 1
            office_path = f"{province_path} / BHXH cơ sở {o + 1}"
            units.append((office_id, province_id, office_path, f"/1/{province_id}/{office_id}/"))
            offices.append(office_id)
            for c in range(size.communes_per_office):
                unit_id = len(units) + 1
                lineage = f"/1/{province_id}/{office_id}/{unit_id}/"
                units.append((unit_id, office_id, f"{office_path} / Xã {c + 1}", lineage))
                communes.append(unit_id)
    return units, Country(provinces, offices, communes, communes[0])


Connection = psycopg.Connection[Any]

SLICE = 1_000_000
"""Entries per INSERT: progress shows, and no statement holds the whole country."""

# Entry number `n` (from 0) of a member drawn at random (the unit is theirs), on a random
# day before `until` this year at 02:00-09:00 UTC, TN or YT, 1, 2 or 3 people (1 most
# often); every 50th voided. The server draws them in the order of `n`.
_ENTRIES = """
INSERT INTO entries (member_id, unit_id, program, day, count, channel, state, created_at)
SELECT m.id, m.unit_id, drawn.program, to_char(drawn.day, 'YYYY-MM-DD'), drawn.count, 'sms',
       CASE WHEN drawn.n %% 50 = 0 THEN 'voided' ELSE 'reported' END,
       to_char(drawn.day, 'YYYY-MM-DD') || 'T0' || drawn.hour || ':00:00+00:00'
FROM (
    SELECT n, 1 + floor(random() * %(members)s)::bigint AS member_id,
           %(first)s::date + floor(random() * %(span)s)::int AS day,
           2 + floor(random() * 8)::int AS hour,
           CASE WHEN random() < 0.5 THEN 'TN' ELSE 'YT' END AS program,
           (ARRAY[1, 1, 1, 2, 3])[1 + floor(random() * 5)::int] AS count
    FROM generate_series(%(low)s::bigint, %(high)s::bigint) AS n
) AS drawn JOIN members m ON m.id = drawn.member_id
"""


@contextmanager
def _indexes_built_after(db: Connection, table: str, *, primary_key: bool) -> Iterator[None]:
    """`table`'s secondary indexes (and its primary key, if asked: one no other table
    refers to) dropped for the bulk insert inside, then built again as they were
    (`pg_get_indexdef`, `pg_get_constraintdef`): a sort per index, instead of a random
    walk through an index larger than the server's buffers for every row."""
    indexes = db.execute(
        "SELECT indexrelid::regclass::text, pg_get_indexdef(indexrelid) FROM pg_index"
        " WHERE indrelid = %s::regclass AND NOT indisunique",
        (table,),
    ).fetchall()
    keys = db.execute(
        "SELECT conname, pg_get_constraintdef(oid) FROM pg_constraint"
        " WHERE conrelid = %s::regclass AND contype = 'p' AND %s",
        (table, primary_key),
    ).fetchall()
    for name, _ in keys:
        db.execute(f"ALTER TABLE {table} DROP CONSTRAINT {name}")
    for name, _ in indexes:
        db.execute(f"DROP INDEX {name}")
    yield
    db.execute("SET maintenance_work_mem = '1GB'")  # each index sorted in memory
    for name, definition in keys:
        db.execute(f"ALTER TABLE {table} ADD CONSTRAINT {name} {definition}")
    for _, definition in indexes:
        db.execute(definition)


def _fill_entries(db: Connection, size: Size, until: date, seed: int) -> None:
    """`size.entries` entries made on the server (see the module doc)."""
    db.execute("SELECT setseed(%s)", (seed / 1000,))
    first = date(until.year, 1, 1)
    with _indexes_built_after(db, "entries", primary_key=False):
        for low in range(0, size.entries, SLICE):
            db.execute(
                _ENTRIES,
                {
                    "members": size.members, "first": first, "span": (until - first).days,
                    "low": low, "high": min(low + SLICE, size.entries) - 1,
                },
            )  # fmt: skip


def _total_entries(db: Connection) -> None:
    """The running totals of every entry: migration 0002's statement, with each day's
    period keys worked out once per day, not once per entry (period_keys is a SQL
    function the server plans again on every call: two minutes a million entries),
    grouped in a hash table (sorting the rows took twice as long)."""
    db.execute("SET work_mem = '1GB'")
    db.execute("SET enable_sort = off")
    with _indexes_built_after(db, "entry_totals", primary_key=True):
        db.execute(
            "INSERT INTO entry_totals (period_key, member_id, unit_id, program, achieved,"
            " last_at) SELECT days.key, member_id, unit_id, program, sum(count),"
            " max(created_at) FROM entries JOIN (SELECT day, unnest(period_keys(day)) AS key"
            " FROM (SELECT DISTINCT day FROM entries) AS logged) AS days USING (day)"
            " WHERE state IN ('reported', 'confirmed')"
            " GROUP BY days.key, member_id, unit_id, program"
        )
    db.execute("RESET enable_sort")


def build(url: str, size: Size, until: date, seed: int = 11) -> Country:
    """Fill the migrated, empty database at `url`."""
    rng = random.Random(seed)
    units, country = _units(size)
    member_units = [country.communes[n % len(country.communes)] for n in range(size.members)]
    with psycopg.connect(url) as db:
        with db.cursor().copy("COPY units (id, parent_id, path, lineage) FROM STDIN") as copy:
            for unit in units:
                copy.write_row(unit)
        with db.cursor().copy("COPY members (id, unit_id, name, phone, role) FROM STDIN") as copy:
            for n in range(size.members):
                role = "agent" if n % 3 else "officer"
                copy.write_row((n + 1, member_units[n], f"Cán bộ {n + 1}", f"09{n + 1:08d}", role))
        year = str(until.year)
        with db.cursor().copy(
            "COPY quotas (target_kind, target_id, program, period_key, value, updated_at)"
            " FROM STDIN"
        ) as copy:
            for member_id in range(1, size.members + 1):
                for program, values in (("TN", (150, 200, 250)), ("YT", (200, 300))):
                    stamp = f"{year}-01-01T00:00:00+00:00"
                    copy.write_row(("member", member_id, program, year, rng.choice(values), stamp))
        db.commit()
        db.execute("SET session_replication_role = replica")  # no triggers, no FK checks
        _fill_entries(db, size, until, seed)
        _total_entries(db)
        db.execute("SET session_replication_role = origin")
        for table in ("units", "members", "entries"):
            db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        db.commit()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
        # Write the load's pages out now, as part of building, so that what is measured
        # after it does not share the disk with the spread-out write-back of 10M rows.
        db.execute("CHECKPOINT")
    return country
