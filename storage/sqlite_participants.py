"""Participant details and reconciliation on SQLite: duplicate check and insert atomically."""

from __future__ import annotations

from datetime import date, datetime

from storage.entry_sql import entry_values
from storage.participants_repository import (
    Confirmation,
    DetailedLog,
    EarlierEntry,
    ParticipantEntry,
    ParticipantKeyChanged,
)
from storage.store_base import (
    COUNTING,
    ENTRY_COLUMNS,
    MEMBER_COLUMNS,
    Db,
    StoreBase,
    entry_from,
    member_from,
    write_audit,
)
from tracker.models import EntryState, Member, NewEntry
from tracker.participants import HashedParticipant, key_fingerprint

DUPLICATE = "duplicate"


class ParticipantStore(StoreBase):
    _participant_secret: str | None = None

    @property
    def participant_secret(self) -> str | None:
        return self._participant_secret

    def use_participant_secret(self, secret: str | None) -> None:
        self._participant_secret = secret or None

    async def add_detailed_entry(
        self, entry: NewEntry, participant: HashedParticipant
    ) -> DetailedLog:
        async def work(db: Db) -> DetailedLog:
            if participant.hash is not None:
                await self._claim_key(db)
            if entry.source_key is not None:
                rows = await db.execute_fetchall(
                    f"SELECT {ENTRY_COLUMNS}, duplicate_of FROM entries WHERE source_key = ?",
                    (entry.source_key,),
                )
                seen = next(iter(rows), None)
                if seen is not None:  # a repeated message: the first answer again
                    earlier = None if seen[-1] is None else await _earlier(db, seen[-1])
                    return DetailedLog(entry_from(seen), False, earlier)
            earlier = None
            if participant.hash is not None:
                year = entry.day.year
                rows = await db.execute_fetchall(
                    "SELECT id FROM entries WHERE participant_hash = ? AND program = ?"
                    f" AND day BETWEEN ? AND ? AND {COUNTING} ORDER BY id LIMIT 1",
                    (participant.hash, entry.program, f"{year}-01-01", f"{year}-12-31"),
                )
                first = next(iter(rows), None)
                earlier = None if first is None else await _earlier(db, first[0])
            state = EntryState.REPORTED if earlier is None else EntryState.REJECTED
            rows = await db.execute_fetchall(
                "INSERT INTO entries (member_id, unit_id, program, day, count, channel,"
                " created_at, source_key, state, state_changed_at, state_reason, duplicate_of,"
                " term_months, participant_hash, participant_last3, rejoin)"
                f" VALUES ({', '.join('?' * 16)}) RETURNING {ENTRY_COLUMNS}",
                (
                    *entry_values(entry),
                    state.value,
                    None if earlier is None else entry.created_at.isoformat(),
                    None if earlier is None else DUPLICATE,
                    None if earlier is None else earlier.id,
                    participant.term_months,
                    participant.hash,
                    participant.last3,
                    None if participant.rejoin is None else int(participant.rejoin),
                ),
            )
            return DetailedLog(entry_from(next(iter(rows))), True, earlier)

        return await self._run_write(work)

    async def _claim_key(self, db: Db) -> None:
        """Record the secret's fingerprint the first time; refuse a different one after."""
        if self._participant_secret is None:
            raise ParticipantKeyChanged("no participant secret configured")
        fingerprint = key_fingerprint(self._participant_secret)
        rows = await db.execute_fetchall("SELECT fingerprint FROM participant_key")
        stored = next(iter(rows), None)
        if stored is None:
            await db.execute(
                "INSERT INTO participant_key (id, fingerprint) VALUES (1, ?)", (fingerprint,)
            )
        elif stored[0] != fingerprint:
            raise ParticipantKeyChanged("PARTICIPANT_HASH_SECRET differs from the stored hashes'")

    async def participant_key_matches(self, secret: str) -> bool:
        row = await self._one("SELECT fingerprint FROM participant_key")
        return row is None or row[0] == key_fingerprint(secret)

    async def first_admin(self) -> Member | None:
        row = await self._one(
            f"SELECT {MEMBER_COLUMNS} FROM members WHERE role = 'admin' ORDER BY id LIMIT 1"
        )
        return None if row is None else member_from(row)

    async def leads_over(self, unit_id: int) -> list[Member]:
        columns = ", ".join(f"m.{c}" for c in MEMBER_COLUMNS.split(", "))
        rows = await self._all(
            f"SELECT {columns}, length(u.lineage) FROM members m JOIN units u ON u.id = m.unit_id"
            " WHERE m.role = 'lead'"
            " AND (SELECT lineage FROM units WHERE id = ?) LIKE u.lineage || '%'"
            " ORDER BY length(u.lineage) DESC, m.id",
            (unit_id,),
        )
        nearest = rows[0][-1] if rows else None
        return [member_from(row) for row in rows if row[-1] == nearest]

    async def participant_entries(self, first: date, last: date) -> list[ParticipantEntry]:
        rows = await self._all(
            "SELECT e.id, e.member_id, m.name, e.unit_id, e.program, e.day, e.state,"
            " e.participant_hash, e.participant_last3, e.term_months"
            " FROM entries e JOIN members m ON m.id = e.member_id"
            " WHERE e.participant_hash IS NOT NULL AND e.day BETWEEN ? AND ?"
            f" AND e.{COUNTING} ORDER BY e.id",
            (first.isoformat(), last.isoformat()),
        )
        return [
            ParticipantEntry(
                r[0],
                r[1],
                r[2],
                r[3],
                r[4],
                date.fromisoformat(r[5]),
                EntryState(r[6]),
                r[7],
                r[8],
                r[9],
            )
            for r in rows
        ]

    async def confirm_collected(
        self, confirmations: list[Confirmation], actor_id: int, source: str, now: datetime
    ) -> int:
        async def work(db: Db) -> int:
            changed = 0
            for item in confirmations:
                rows = await db.execute_fetchall(
                    "UPDATE entries SET state = 'confirmed', state_changed_at = ?,"
                    " state_reason = ?, term_months = coalesce(term_months, ?)"
                    " WHERE id = ? AND state = 'reported'"
                    " RETURNING id, unit_id, program, count, day, participant_last3,"
                    " (SELECT name FROM members WHERE members.id = member_id)",
                    (now.isoformat(), f"{source}:{item.line}", item.term_months, item.entry_id),
                )
                row = next(iter(rows), None)
                if row is None:
                    continue  # confirmed (or voided) meanwhile
                changed += 1
                entry_id, unit_id, program, count, day, last3, name = row
                subject = (
                    f"#{entry_id} {name} · {program} {count} ({date.fromisoformat(day):%d/%m/%Y})"
                    f" · …{last3}"
                )
                await write_audit(
                    db,
                    now,
                    actor_id,
                    unit_id,
                    "entry.confirm",
                    subject,
                    EntryState.REPORTED.value,
                    f"confirmed: {source}:{item.line}",
                )
            return changed

        return await self._run_write(work)


async def _earlier(db: Db, entry_id: int) -> EarlierEntry:
    rows = await db.execute_fetchall(
        "SELECT e.id, e.member_id, m.name, e.unit_id, e.day FROM entries e"
        " JOIN members m ON m.id = e.member_id WHERE e.id = ?",
        (entry_id,),
    )
    row = next(iter(rows))
    return EarlierEntry(row[0], row[1], row[2], row[3], date.fromisoformat(row[4]))
