"""The Zalo channel's tables (migration 0070): links, codes, choices, media, groups."""

from __future__ import annotations

import json
from datetime import datetime, timedelta

from storage.store_base import (
    MEMBER_COLUMNS,
    Db,
    StoreBase,
    audit_group_bind,
    member_from,
    write_audit,
)
from storage.zalo_repository import LinkCode, MediaFile
from tracker.models import Member

_CODE_COLUMNS = "phone, code_hash, salt, expires_at, issued_by, zalo_user_id"


def _code_from(row: tuple[object, ...] | None) -> LinkCode | None:
    if row is None:
        return None
    phone, code_hash, salt, expires_at, issued_by, zalo_user_id = row
    return LinkCode(
        str(phone),
        str(code_hash),
        str(salt),
        datetime.fromisoformat(str(expires_at)),
        None if issued_by is None else int(str(issued_by)),
        None if zalo_user_id is None else str(zalo_user_id),
    )


class ZaloStore(StoreBase):
    async def member_by_zalo(self, zalo_user_id: str) -> Member | None:
        row = await self._one(
            f"SELECT {', '.join('m.' + c for c in MEMBER_COLUMNS.split(', '))}"
            " FROM zalo_links z JOIN members m ON m.id = z.member_id WHERE z.zalo_user_id = ?",
            (zalo_user_id,),
        )
        return None if row is None else member_from(row)

    async def zalo_user_of(self, member_id: int) -> str | None:
        row = await self._one(
            "SELECT zalo_user_id FROM zalo_links WHERE member_id = ?", (member_id,)
        )
        return None if row is None else str(row[0])

    async def link_zalo(self, member_id: int, zalo_user_id: str, phone: str, now: datetime) -> bool:
        async def work(db: Db) -> bool:
            rows = await db.execute_fetchall(
                "SELECT zalo_user_id FROM zalo_links WHERE member_id = ?", (member_id,)
            )
            if any(row[0] != zalo_user_id for row in rows):
                return False  # never a second account for one member
            await db.execute("DELETE FROM link_codes WHERE phone = ?", (phone,))
            await db.execute("DELETE FROM link_failures WHERE phone = ?", (phone,))
            # One Zalo account speaks for one member: linking it elsewhere moves it.
            await db.execute("DELETE FROM zalo_links WHERE zalo_user_id = ?", (zalo_user_id,))
            await db.execute(
                "INSERT INTO zalo_links (zalo_user_id, member_id, linked_at) VALUES (?, ?, ?)",
                (zalo_user_id, member_id, now.isoformat()),
            )
            [(unit_id,)] = await db.execute_fetchall(
                "SELECT unit_id FROM members WHERE id = ?", (member_id,)
            )
            await write_audit(
                db, now, member_id, unit_id, "zalo.link", phone, None, f"zalo:{zalo_user_id}"
            )
            return True

        return await self._run_write(work)

    async def unlink_zalo(self, member_id: int, actor_id: int, now: datetime) -> bool:
        async def work(db: Db) -> bool:
            rows = await db.execute_fetchall(
                "SELECT z.zalo_user_id, m.phone, m.unit_id FROM zalo_links z"
                " JOIN members m ON m.id = z.member_id WHERE z.member_id = ?",
                (member_id,),
            )
            if not rows:
                return False
            [(zalo_user_id, phone, unit_id)] = rows
            await db.execute("DELETE FROM zalo_links WHERE member_id = ?", (member_id,))
            await db.execute("DELETE FROM zalo_choices WHERE member_id = ?", (member_id,))
            await write_audit(
                db, now, actor_id, unit_id, "zalo.unlink", phone, f"zalo:{zalo_user_id}", None
            )
            return True

        return await self._run_write(work)

    async def store_link_code(self, code: LinkCode, now: datetime) -> None:
        async def work(db: Db) -> None:
            if code.issued_by is not None:
                rows = await db.execute_fetchall(
                    "SELECT unit_id FROM members WHERE phone = ?", (code.phone,)
                )
                [(unit_id,)] = rows
                await write_audit(
                    db, now, code.issued_by, unit_id, "zalo.link_code", code.phone, None, "issued"
                )
            await db.execute(
                f"INSERT INTO link_codes ({_CODE_COLUMNS}) VALUES (?, ?, ?, ?, ?, ?)"
                " ON CONFLICT (phone) DO UPDATE SET code_hash = excluded.code_hash,"
                " salt = excluded.salt, expires_at = excluded.expires_at,"
                " issued_by = excluded.issued_by, zalo_user_id = excluded.zalo_user_id",
                (
                    code.phone,
                    code.code_hash,
                    code.salt,
                    code.expires_at.isoformat(),
                    code.issued_by,
                    code.zalo_user_id,
                ),
            )

        await self._run_write(work)

    async def link_code(self, phone: str) -> LinkCode | None:
        return _code_from(
            await self._one(f"SELECT {_CODE_COLUMNS} FROM link_codes WHERE phone = ?", (phone,))
        )

    async def link_code_claimed_by(self, zalo_user_id: str) -> LinkCode | None:
        return _code_from(
            await self._one(
                f"SELECT {_CODE_COLUMNS} FROM link_codes WHERE zalo_user_id = ?"
                " ORDER BY expires_at DESC LIMIT 1",
                (zalo_user_id,),
            )
        )

    async def claim_link_code(self, phone: str, zalo_user_id: str) -> None:
        async def work(db: Db) -> None:
            await db.execute(
                "UPDATE link_codes SET zalo_user_id = NULL WHERE zalo_user_id = ?", (zalo_user_id,)
            )
            await db.execute(
                "UPDATE link_codes SET zalo_user_id = ? WHERE phone = ?", (zalo_user_id, phone)
            )

        await self._run_write(work)

    async def link_blocked_until(self, phone: str, now: datetime) -> datetime | None:
        row = await self._one(
            "SELECT blocked_until FROM link_failures WHERE phone = ? AND blocked_until > ?",
            (phone, now.isoformat()),
        )
        return None if row is None else datetime.fromisoformat(row[0])

    async def count_wrong_code(
        self, phone: str, now: datetime, limit: int, block: timedelta
    ) -> datetime | None:
        async def work(db: Db) -> datetime | None:
            # A block that has run out starts the count afresh.
            await db.execute(
                "DELETE FROM link_failures WHERE phone = ? AND blocked_until <= ?",
                (phone, now.isoformat()),
            )
            rows = await db.execute_fetchall(
                "INSERT INTO link_failures (phone, wrong) VALUES (?, 1)"
                " ON CONFLICT (phone) DO UPDATE SET wrong = link_failures.wrong + 1"
                " RETURNING wrong",
                (phone,),
            )
            wrong = int(next(iter(rows))[0])
            if wrong < limit:
                return None
            until = now + block
            await db.execute(
                "UPDATE link_failures SET blocked_until = ? WHERE phone = ?",
                (until.isoformat(), phone),
            )
            await db.execute("DELETE FROM link_codes WHERE phone = ?", (phone,))
            return until

        return await self._run_write(work)

    async def offer_numbered(self, member_id: int, commands: list[str], now: datetime) -> None:
        await self._write(
            "INSERT INTO zalo_choices (member_id, commands, offered_at, answered_key)"
            " VALUES (?, ?, ?, NULL) ON CONFLICT (member_id) DO UPDATE SET"
            " commands = excluded.commands, offered_at = excluded.offered_at,"
            " answered_key = NULL",
            (member_id, json.dumps(commands), now.isoformat()),
        )

    async def take_numbered(
        self, member_id: int, number: int, source_key: str, since: datetime
    ) -> str | None:
        async def work(db: Db) -> str | None:
            rows = await db.execute_fetchall(
                "SELECT commands, answered_key FROM zalo_choices"
                " WHERE member_id = ? AND offered_at > ?",
                (member_id, since.isoformat()),
            )
            row = next(iter(rows), None)
            if row is None or row[1] not in (None, source_key):
                return None
            commands: list[str] = json.loads(row[0])
            if not 1 <= number <= len(commands):
                return None
            await db.execute(
                "UPDATE zalo_choices SET answered_key = ? WHERE member_id = ?",
                (source_key, member_id),
            )
            return commands[number - 1]

        return await self._run_write(work)

    async def put_media(
        self, media_id: str, file: MediaFile, expires_at: datetime, *, single_use: bool
    ) -> None:
        async def work(db: Db) -> None:
            await db.execute(
                "DELETE FROM media_links WHERE expires_at < ?",
                ((expires_at - timedelta(days=1)).isoformat(),),
            )
            await db.execute(
                "INSERT INTO media_links (id, filename, content, expires_at, single_use)"
                " VALUES (?, ?, ?, ?, ?)",
                (media_id, file.filename, file.content, expires_at.isoformat(), int(single_use)),
            )

        await self._run_write(work)

    async def take_media(self, media_id: str, now: datetime) -> MediaFile | None:
        async def work(db: Db) -> MediaFile | None:
            rows = await db.execute_fetchall(
                "UPDATE media_links SET used_at = ? WHERE id = ? AND expires_at > ?"
                " AND (single_use = 0 OR used_at IS NULL) RETURNING filename, content",
                (now.isoformat(), media_id, now.isoformat()),
            )
            row = next(iter(rows), None)
            return None if row is None else MediaFile(str(row[0]), bytes(row[1]))

        return await self._run_write(work)

    async def bind_zalo_group(self, unit_id: int, chat_id: str, by: tuple[int, datetime]) -> None:
        async def work(db: Db) -> None:
            rows = await db.execute_fetchall(
                "SELECT chat_id FROM zalo_groups WHERE unit_id = ?", (unit_id,)
            )
            before = next(iter(rows), None)
            await audit_group_bind(
                db, by, unit_id, None if before is None else f"zalo:{before[0]}", f"zalo:{chat_id}"
            )
            await db.execute("DELETE FROM zalo_groups WHERE chat_id = ?", (chat_id,))
            await db.execute(
                "INSERT INTO zalo_groups (unit_id, chat_id) VALUES (?, ?)"
                " ON CONFLICT (unit_id) DO UPDATE SET chat_id = excluded.chat_id",
                (unit_id, chat_id),
            )

        await self._run_write(work)

    async def zalo_group(self, unit_id: int) -> str | None:
        row = await self._one("SELECT chat_id FROM zalo_groups WHERE unit_id = ?", (unit_id,))
        return None if row is None else str(row[0])

    async def nearest_zalo_group(self, unit_id: int) -> str | None:
        row = await self._one(
            "SELECT g.chat_id FROM zalo_groups g JOIN units u ON u.id = g.unit_id"
            " WHERE (SELECT lineage FROM units WHERE id = ?) LIKE u.lineage || '%'"
            " ORDER BY length(u.lineage) DESC LIMIT 1",
            (unit_id,),
        )
        return None if row is None else str(row[0])
