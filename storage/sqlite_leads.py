"""Lead tools on SQLite: scoped lookups, audited quota changes, entry review, audit log."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime

from storage.leads_repository import (
    AuditRecord,
    PendingEntry,
    QuotaTarget,
    RejectedEntry,
    Review,
)
from storage.store_base import (
    ENTRY_COLUMNS,
    UNIT_COLUMNS,
    Db,
    StoreBase,
    entry_from,
    entry_subject,
    unit_from,
    write_audit,
)
from tracker.models import EntryState, Unit

# The subtree of `?` (a unit id), or every unit when it is NULL (an admin).
_IN_SCOPE = "u.lineage LIKE coalesce((SELECT lineage FROM units WHERE id = ?), '/') || '%'"


def _text(value: int | None) -> str | None:
    return None if value is None else str(value)


class LeadStore(StoreBase):
    async def units_in_scope(self, scope: int | None) -> list[Unit]:
        columns = ", ".join(f"u.{c}" for c in UNIT_COLUMNS.split(", "))
        rows = await self._all(
            f"SELECT {columns} FROM units u WHERE {_IN_SCOPE} ORDER BY u.path", (scope,)
        )
        return [unit_from(row) for row in rows]

    async def unit_in_scope(self, unit_id: int, scope: int | None) -> bool:
        row = await self._one(
            f"SELECT 1 FROM units u WHERE u.id = ? AND {_IN_SCOPE}", (unit_id, scope)
        )
        return row is not None

    async def change_quotas(
        self,
        target: QuotaTarget,
        program: str,
        values: Mapping[str, int | None],
        actor_id: int,
        now: datetime,
    ) -> dict[str, int | None]:
        before: dict[str, int | None] = {}
        key = (target.kind.value, target.id, program)
        # The command's own period comes first and is always in the audit log: a split
        # of a year whose total stays the same is still a change someone made.
        main_key = next(iter(values), None)

        async def work(db: Db) -> None:
            for period_key, value in values.items():
                rows = await db.execute_fetchall(
                    "SELECT value FROM quotas WHERE target_kind = ? AND target_id = ?"
                    " AND program = ? AND period_key = ?",
                    (*key, period_key),
                )
                found = next(iter(rows), None)
                old = None if found is None else int(found[0])
                before[period_key] = old
                if old == value and period_key != main_key:
                    continue
                if value is None:
                    await db.execute(
                        "DELETE FROM quotas WHERE target_kind = ? AND target_id = ?"
                        " AND program = ? AND period_key = ?",
                        (*key, period_key),
                    )
                else:
                    await db.execute(
                        "INSERT INTO quotas (target_kind, target_id, program, period_key,"
                        " value, updated_at) VALUES (?, ?, ?, ?, ?, ?)"
                        " ON CONFLICT (target_kind, target_id, program, period_key)"
                        " DO UPDATE SET value = excluded.value, updated_at = excluded.updated_at",
                        (*key, period_key, value, now.isoformat()),
                    )
                subject = f"{target.label} · {program} {period_key}"
                await write_audit(
                    db, now, actor_id, target.unit_id, "quota", subject, _text(old), _text(value)
                )

        await self._run_write(work)
        return before

    async def pending_entries(self, scope: int | None, limit: int) -> list[PendingEntry]:
        columns = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS.split(", "))
        rows = await self._all(
            f"SELECT {columns}, m.name FROM entries e JOIN units u ON u.id = e.unit_id"
            f" JOIN members m ON m.id = e.member_id WHERE e.state = 'reported' AND {_IN_SCOPE}"
            " ORDER BY e.id DESC LIMIT ?",
            (scope, limit),
        )
        return [PendingEntry(entry_from(row), row[-1]) for row in rows]

    async def pending_page(
        self, scope: int | None, member_id: int | None, offset: int, limit: int
    ) -> tuple[int, list[PendingEntry]]:
        columns = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS.split(", "))
        # The cast types a NULL parameter for PostgreSQL (SQLite ignores it).
        where = (
            f"WHERE e.state = 'reported' AND {_IN_SCOPE}"
            " AND (CAST(? AS BIGINT) IS NULL OR e.member_id = ?)"
        )
        params = (scope, member_id, member_id)
        total = await self._one(
            f"SELECT count(*) FROM entries e JOIN units u ON u.id = e.unit_id {where}", params
        )
        rows = await self._all(
            f"SELECT {columns}, m.name FROM entries e JOIN units u ON u.id = e.unit_id"
            f" JOIN members m ON m.id = e.member_id {where} ORDER BY e.id DESC LIMIT ? OFFSET ?",
            (*params, limit, offset),
        )
        return int(total[0]), [PendingEntry(entry_from(row), row[-1]) for row in rows]

    async def review_entry(
        self,
        entry_id: int,
        scope: int | None,
        to: EntryState,
        allowed_from: tuple[EntryState, ...],
        actor_id: int,
        reason: str | None,
        now: datetime,
    ) -> Review | None:
        columns = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS.split(", "))

        async def work(db: Db) -> Review | None:
            rows = await db.execute_fetchall(
                f"SELECT {columns}, m.name FROM entries e JOIN units u ON u.id = e.unit_id"
                f" JOIN members m ON m.id = e.member_id WHERE e.id = ? AND {_IN_SCOPE}",
                (entry_id, scope),
            )
            row = next(iter(rows), None)
            if row is None:
                return None
            before, name = entry_from(row), str(row[-1])
            if before.state not in allowed_from:
                return Review(before, name, changed=False)
            # The entry_totals triggers (0002) move the running totals in this statement.
            await db.execute(
                "UPDATE entries SET state = ?, state_changed_at = ?, state_reason = ? WHERE id = ?",
                (to.value, now.isoformat(), reason, entry_id),
            )
            subject = entry_subject(before, name)
            after = to.value if not reason else f"{to.value}: {reason}"
            action = "entry.confirm" if to is EntryState.CONFIRMED else "entry.reject"
            await write_audit(
                db, now, actor_id, before.unit_id, action, subject, before.state.value, after
            )
            return Review(before, name, changed=True)

        return await self._run_write(work)

    async def rejected_entry(self, entry_id: int, scope: int | None) -> RejectedEntry | None:
        columns = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS.split(", "))
        row = await self._one(
            f"SELECT {columns}, m.name, e.state_reason, e.duplicate_of FROM entries e"
            " JOIN units u ON u.id = e.unit_id JOIN members m ON m.id = e.member_id"
            f" WHERE e.id = ? AND e.state = 'rejected' AND {_IN_SCOPE}",
            (entry_id, scope),
        )
        if row is None:
            return None
        return RejectedEntry(entry_from(row), str(row[-3]), row[-2], row[-1] is not None)

    async def reopen_entry(
        self, entry_id: int, scope: int | None, actor_id: int, now: datetime
    ) -> Review | None:
        columns = ", ".join(f"e.{c}" for c in ENTRY_COLUMNS.split(", "))

        async def work(db: Db) -> Review | None:
            rows = await db.execute_fetchall(
                f"SELECT {columns}, m.name, e.state_reason FROM entries e"
                " JOIN units u ON u.id = e.unit_id JOIN members m ON m.id = e.member_id"
                f" WHERE e.id = ? AND e.duplicate_of IS NULL AND {_IN_SCOPE}",
                (entry_id, scope),
            )
            row = next(iter(rows), None)
            if row is None:
                return None
            before, name, reason = entry_from(row), str(row[-2]), row[-1]
            if before.state is not EntryState.REJECTED:
                return Review(before, name, changed=False)
            # The state_reason stays: why it was once rejected is still worth knowing.
            await db.execute(
                "UPDATE entries SET state = 'confirmed', state_changed_at = ? WHERE id = ?",
                (now.isoformat(), entry_id),
            )
            was = before.state.value if not reason else f"{before.state.value}: {reason}"
            await write_audit(
                db,
                now,
                actor_id,
                before.unit_id,
                "entry.reopen",
                entry_subject(before, name),
                was,
                EntryState.CONFIRMED.value,
            )
            return Review(before, name, changed=True)

        return await self._run_write(work)

    async def audit_log(self, scope: int | None, limit: int) -> list[AuditRecord]:
        rows = await self._all(
            "SELECT a.id, a.at, m.name, a.unit_id, a.action, a.subject, a.before, a.after,"
            " u.path"
            " FROM audit_log a JOIN units u ON u.id = a.unit_id"
            f" JOIN members m ON m.id = a.actor_id WHERE {_IN_SCOPE}"
            " ORDER BY a.id DESC LIMIT ?",
            (scope, limit),
        )
        return [
            AuditRecord(
                r[0], datetime.fromisoformat(r[1]), r[2], r[3], r[4], r[5], r[6], r[7], r[8]
            )
            for r in rows
        ]
