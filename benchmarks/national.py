"""A synthetic country on PostgreSQL for the national benchmark: 34 provinces, ~3,300
communes, 60,000 members, 10M entries (`--quick`: far fewer), bulk-loaded with COPY
into a schema made by the real repository (its migrations, indexes and triggers).

The entries go in with triggers off (`session_replication_role = replica`) and their
running totals are then built in one statement, the one migration 0002 uses; no board
has been viewed yet, so there is nothing else for the triggers to keep.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

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
        db.execute("SET session_replication_role = replica")  # entries: no triggers
        first = date(until.year, 1, 1)
        span = (until - first).days
        days = [(first + timedelta(days=offset)).isoformat() for offset in range(span)]
        with db.cursor().copy(
            "COPY entries (member_id, unit_id, program, day, count, channel, state,"
            " created_at) FROM STDIN"
        ) as copy:
            for n in range(size.entries):
                member_id = rng.randrange(1, size.members + 1)
                offset = rng.randrange(span)
                at = datetime.combine(first + timedelta(days=offset), time(rng.randrange(2, 10)))
                copy.write_row((
                    member_id, member_units[member_id - 1], rng.choice(("TN", "YT")),
                    days[offset], rng.choice((1, 1, 1, 2, 3)), "sms",
                    "voided" if n % 50 == 0 else "reported", at.replace(tzinfo=UTC).isoformat(),
                ))  # fmt: skip
        db.execute(
            "INSERT INTO entry_totals (period_key, member_id, unit_id, program, achieved,"
            " last_at) SELECT key, member_id, unit_id, program, sum(count), max(created_at)"
            " FROM entries, unnest(period_keys(day)) AS key"
            " WHERE state IN ('reported', 'confirmed')"
            " GROUP BY key, member_id, unit_id, program"
        )
        db.execute("SET session_replication_role = origin")
        for table in ("units", "members", "entries"):
            db.execute(
                f"SELECT setval(pg_get_serial_sequence('{table}', 'id'),"
                f" (SELECT max(id) FROM {table}))"
            )
        db.commit()
    with psycopg.connect(url, autocommit=True) as db:
        db.execute("VACUUM ANALYZE")
    return country
