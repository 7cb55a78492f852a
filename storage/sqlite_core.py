"""Units, members, quotas and entries: what logging and progress need."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Collection
from datetime import date, datetime

from storage.entry_sql import (
    MEMBER_PERIOD,
    entry_values,
    member_period_from,
    member_period_params,
)
from storage.repository import ImportRejected, MemberPeriod, QuotaRow, RecordedEntry, StaffRow
from storage.store_base import (
    COUNTING,
    ENTRY_COLUMNS,
    MEMBER_COLUMNS,
    UNIT_COLUMNS,
    Db,
    StoreBase,
    entry_from,
    entry_subject,
    member_from,
    unit_from,
    write_audit,
)
from storage.total_plans import upsert_total_plan
from tracker.models import (
    UNIT_PATH_SEPARATOR,
    Entry,
    EntryState,
    Member,
    NewEntry,
    PlanKind,
    Quota,
    TargetKind,
    Unit,
)
from tracker.periods import local_day
from tracker.quotas import QuotaBook

__all__ = ["CoreStore", "entry_values", "normalise_unit_path"]


class CoreStore(StoreBase):
    # Units and members

    async def unit(self, unit_id: int) -> Unit:
        row = await self._one(f"SELECT {UNIT_COLUMNS} FROM units WHERE id = ?", (unit_id,))
        if row is None:
            raise LookupError(f"unit {unit_id}")
        return unit_from(row)

    async def unit_by_path(self, path: str) -> Unit | None:
        row = await self._one(
            f"SELECT {UNIT_COLUMNS} FROM units WHERE path = ?",
            (normalise_unit_path(path),),
        )
        return None if row is None else unit_from(row)

    async def member(self, member_id: int) -> Member:
        row = await self._one(f"SELECT {MEMBER_COLUMNS} FROM members WHERE id = ?", (member_id,))
        if row is None:
            raise LookupError(f"member {member_id}")
        return member_from(row)

    async def member_by_phone(self, phone: str) -> Member | None:
        row = await self._one(f"SELECT {MEMBER_COLUMNS} FROM members WHERE phone = ?", (phone,))
        return None if row is None else member_from(row)

    async def member_by_telegram(self, telegram_user_id: int) -> Member | None:
        row = await self._one(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE telegram_user_id = ?",
            (telegram_user_id,),
        )
        return None if row is None else member_from(row)

    async def link_telegram(self, member_id: int, telegram_user_id: int) -> Member:
        async def work(db: Db) -> None:
            # One Telegram account speaks for one member: a re-link moves it.
            await db.execute(
                "UPDATE members SET telegram_user_id = NULL WHERE telegram_user_id = ?",
                (telegram_user_id,),
            )
            await db.execute(
                "UPDATE members SET telegram_user_id = ? WHERE id = ?",
                (telegram_user_id, member_id),
            )

        await self._run_write(work)
        return await self.member(member_id)

    async def set_language(self, member_id: int, language: str) -> None:
        await self._write("UPDATE members SET language = ? WHERE id = ?", (language, member_id))

    async def count_members(self) -> int:
        row = await self._one("SELECT count(*) FROM members")
        return int(row[0])

    # Operator imports

    async def import_staff(self, rows: list[StaffRow]) -> int:
        async def work(db: Db) -> None:
            for row in rows:
                unit_id = await _ensure_unit(db, row.unit_path)
                await db.execute(
                    "INSERT INTO members (unit_id, name, phone, role) VALUES (?, ?, ?, ?) "
                    "ON CONFLICT (phone) DO UPDATE SET "
                    "unit_id = excluded.unit_id, name = excluded.name, role = excluded.role",
                    (unit_id, row.name, row.phone, row.role.value),
                )

        await self._run_write(work)
        return len(rows)

    async def import_quotas(self, rows: list[QuotaRow], now: datetime) -> int:
        async def work(db: Db) -> None:
            resolved: list[Quota] = []
            totals: list[Quota] = []  # a unit's plans for participants in total
            problems: list[tuple[int, str, str]] = []
            for row in rows:
                target_id = await _resolve_target(db, row.target_kind, row.target)
                if target_id is None:
                    problems.append((row.line, f"import.unknown_{row.target_kind}", row.target))
                    continue
                quota = Quota(row.target_kind, target_id, row.program, row.period_key, row.value)
                (totals if row.plan_kind is PlanKind.TOTAL else resolved).append(quota)
            if problems:
                raise ImportRejected(problems)
            for quota in resolved:
                await _upsert_quota(db, quota, now)
            for quota in totals:
                await upsert_total_plan(
                    db, quota.target_id, quota.program, quota.period_key, quota.value, now
                )

        await self._run_write(work)
        return len(rows)

    # Quotas

    async def set_quota(self, quota: Quota, now: datetime) -> None:
        async def work(db: Db) -> None:
            await _upsert_quota(db, quota, now)

        await self._run_write(work)

    async def quota_books(self, kind: TargetKind, target_id: int) -> dict[str, QuotaBook]:
        rows = await self._all(
            "SELECT program, period_key, value FROM quotas WHERE target_kind = ? AND target_id = ?",
            (kind.value, target_id),
        )
        books: dict[str, dict[str, int]] = defaultdict(dict)
        for program, period_key, value in rows:
            books[program][period_key] = value
        return dict(books)

    # Entries

    async def add_entry(self, entry: NewEntry) -> tuple[Entry, bool]:
        """Store an entry; (the stored entry, False) when its source key was seen before."""
        stored, created, _ = await self._queue_entry(entry, None)
        return stored, created

    async def record_entry(self, entry: NewEntry, period_key: str) -> RecordedEntry:
        """Store an entry and read the member's `period_key` right after it: what a log's
        reply needs, in one write transaction."""
        stored, created, standing = await self._queue_entry(entry, period_key)
        assert standing is not None, "asked for with a period key"
        return RecordedEntry(stored, created, standing)

    async def _queue_entry(
        self, entry: NewEntry, period_key: str | None
    ) -> tuple[Entry, bool, MemberPeriod | None]:
        row, created, standing = await self._store_entry((entry_values(entry), period_key))
        return entry_from(row), created, standing

    async def undo_last_entry(
        self, member_id: int, day: date, now: datetime, source_key: str | None
    ) -> tuple[Entry | None, bool]:
        """Void the member's last counting entry if it was logged on local `day`.

        Returns (the entry undone or None, whether this message was seen before).
        """

        async def work(db: Db) -> tuple[Entry | None, bool]:
            if source_key is not None:
                seen = await db.execute_fetchall(
                    "SELECT entry_id FROM inbound_messages WHERE key = ?", (source_key,)
                )
                if seen:
                    entry_id = next(iter(seen))[0]
                    return (None if entry_id is None else await self._entry_in(db, entry_id)), True
            rows = await db.execute_fetchall(
                f"SELECT {ENTRY_COLUMNS} FROM entries WHERE member_id = ? AND {COUNTING}"
                " ORDER BY id DESC LIMIT 1",
                (member_id,),
            )
            last = next(iter(rows), None)
            undone = None if last is None else entry_from(last)
            if undone is not None and local_day(undone.created_at) != day:
                undone = None
            # A confirmed entry is the lead's to change: it comes back untouched.
            if undone is not None and undone.state is EntryState.REPORTED:
                await db.execute(
                    "UPDATE entries SET state = 'voided', state_changed_at = ?,"
                    " state_reason = 'undo' WHERE id = ?",
                    (now.isoformat(), undone.id),
                )
                names = await db.execute_fetchall(
                    "SELECT name FROM members WHERE id = ?", (member_id,)
                )
                name = next(iter(names))[0]
                await write_audit(
                    db,
                    now,
                    member_id,
                    undone.unit_id,
                    "entry.undo",
                    entry_subject(undone, name),
                    undone.state.value,
                    EntryState.VOIDED.value,
                )
            if source_key is not None:
                await db.execute(
                    "INSERT INTO inbound_messages (key, received_at, entry_id) VALUES (?, ?, ?)",
                    (source_key, now.isoformat(), None if undone is None else undone.id),
                )
            return undone, False

        return await self._run_write(work)

    async def _entry_in(self, db: Db, entry_id: int) -> Entry:
        rows = await db.execute_fetchall(
            f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ?", (entry_id,)
        )
        return entry_from(next(iter(rows)))

    async def set_own_entry_term(
        self,
        entry_id: int,
        member_id: int,
        term_months: int,
        day: date,
        programs: Collection[str] | None = None,
    ) -> Entry | None:
        """Set the payment term of the member's own counting entry logged on local `day`;
        None when there is no such entry (someone else's, voided, or from another day).
        An entry of a program outside `programs` (those that allow the term) is returned
        unchanged, for the caller to refuse."""

        async def work(db: Db) -> Entry | None:
            rows = await db.execute_fetchall(
                f"SELECT {ENTRY_COLUMNS} FROM entries WHERE id = ? AND member_id = ?"
                f" AND {COUNTING}",
                (entry_id, member_id),
            )
            found = next(iter(rows), None)
            if found is None or local_day(entry_from(found).created_at) != day:
                return None
            if programs is not None and entry_from(found).program not in programs:
                return entry_from(found)
            await db.execute(
                "UPDATE entries SET term_months = ? WHERE id = ?", (term_months, entry_id)
            )
            return entry_from(found)

        return await self._run_write(work)

    async def period_achieved(self, member_id: int, period_key: str) -> dict[str, int]:
        """Per program, from the running totals: one index lookup, however long the period."""
        rows = await self._all(
            "SELECT program, sum(achieved) FROM entry_totals"
            " WHERE period_key = ? AND member_id = ? GROUP BY program",
            (period_key, member_id),
        )
        return {program: int(total) for program, total in rows if total}

    async def member_period(self, member_id: int, period_key: str) -> MemberPeriod:
        rows = await self._all(MEMBER_PERIOD, member_period_params(member_id, period_key))
        return member_period_from(rows)

    async def achieved(self, member_id: int, first: date, last: date) -> dict[str, int]:
        rows = await self._all(
            "SELECT program, sum(count) FROM entries WHERE member_id = ?"
            f" AND day BETWEEN ? AND ? AND {COUNTING} GROUP BY program",
            (member_id, first.isoformat(), last.isoformat()),
        )
        return {program: int(total) for program, total in rows}


def normalise_unit_path(path: str) -> str:
    return UNIT_PATH_SEPARATOR.join(part.strip() for part in path.split("/") if part.strip())


async def _ensure_unit(db: Db, path: str) -> int:
    """The id of the unit at `path`, creating it and any missing ancestors."""
    parent_id: int | None = None
    lineage = "/"
    parts = normalise_unit_path(path).split(UNIT_PATH_SEPARATOR)
    for depth in range(1, len(parts) + 1):
        prefix = UNIT_PATH_SEPARATOR.join(parts[:depth])
        rows = await db.execute_fetchall("SELECT id, lineage FROM units WHERE path = ?", (prefix,))
        found = next(iter(rows), None)
        if found is None:
            [(unit_id,)] = await db.execute_fetchall(
                "INSERT INTO units (parent_id, path, lineage) VALUES (?, ?, '') RETURNING id",
                (parent_id, prefix),
            )
            lineage = f"{lineage}{unit_id}/"
            await db.execute("UPDATE units SET lineage = ? WHERE id = ?", (lineage, unit_id))
        else:
            unit_id, lineage = found[0], found[1]
        parent_id = unit_id
    assert parent_id is not None, "a unit path has at least one part"
    return parent_id


async def _resolve_target(db: Db, kind: TargetKind, target: str) -> int | None:
    if kind is TargetKind.MEMBER:
        rows = await db.execute_fetchall("SELECT id FROM members WHERE phone = ?", (target,))
    else:
        rows = await db.execute_fetchall(
            "SELECT id FROM units WHERE path = ?", (normalise_unit_path(target),)
        )
    found = next(iter(rows), None)
    return None if found is None else int(found[0])


async def _upsert_quota(db: Db, quota: Quota, now: datetime) -> None:
    await db.execute(
        "INSERT INTO quotas (target_kind, target_id, program, period_key, value, updated_at)"
        " VALUES (?, ?, ?, ?, ?, ?) ON CONFLICT (target_kind, target_id, program, period_key)"
        " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
        (
            quota.target_kind.value,
            quota.target_id,
            quota.program,
            quota.period_key,
            quota.value,
            now.isoformat(),
        ),
    )
