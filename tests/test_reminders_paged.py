"""Friday's reminder weighs members a page at a time (issue 15: the whole country at
once was most of a national bot's peak memory); every page size finds the same people."""

from __future__ import annotations

from datetime import UTC, date, datetime

import pytest

from commands.context import Services
from scheduling.reminders import members_behind
from tracker.models import Channel, NewEntry, TargetKind
from tracker.periods import parse_period

FRIDAY = date(2026, 11, 27)


async def log(services: Services, phone: str, program: str, count: int) -> None:
    member = await services.repo.member_by_phone(phone)
    assert member is not None
    at = datetime(2026, 11, 26, 3, 0, tzinfo=UTC)
    await services.repo.add_entry(
        NewEntry(member.id, member.unit_id, program, date(2026, 11, 26), count, Channel.SMS, at)
    )


async def ids_of(services: Services, *phones: str) -> list[int]:
    found = [await services.repo.member_by_phone(phone) for phone in phones]
    return [member.id for member in found if member is not None]


@pytest.mark.parametrize("page", [1, 2, 3, 2_000])
async def test_every_page_size_finds_the_same_members_behind(services: Services, page: int) -> None:
    """Lan met November (TN 10, YT 20); Nam and Hoa did nothing; Đức leads, with no
    quota: Nam and Hoa are behind, whether the four are read one, two, three at a time
    or all together (the pages' edges fall between the two of them, and around them)."""
    for program, count in (("TN", 10), ("YT", 20)):
        await log(services, "0912000001", program, count)
    await log(services, "0912000003", "TN", 10)  # Hoa met TN, not YT: still behind
    period = parse_period("2026-11")

    behind = [
        m async for m in members_behind(services.repo, services.rules, period, FRIDAY, page=page)
    ]

    assert [m.id for m in behind] == await ids_of(services, "0912000002", "0912000003")


async def test_a_subtree_reads_a_page_of_members_and_their_books_and_totals(
    services: Services,
) -> None:
    """The storage half of the paging: members by id after a given one, and the books
    and totals of members in an id range only."""
    repo = services.repo
    lan, nam, hoa, duc = await ids_of(
        services, "0912000001", "0912000002", "0912000003", "0913000001"
    )
    await log(services, "0912000001", "TN", 2)
    await log(services, "0912000003", "YT", 5)
    [root_unit] = await repo.root_units()
    root = root_unit.id

    first = await repo.subtree_members(root, limit=2)
    rest = await repo.subtree_members(root, after=first[-1].id, limit=2)
    assert [m.id for m in first] == [lan, nam]
    assert [m.id for m in rest] == [hoa, duc]
    assert await repo.subtree_members(root, after=duc, limit=2) == []
    assert sorted(m.id for m in await repo.subtree_members(root)) == [lan, nam, hoa, duc]

    books = await repo.subtree_quota_books(TargetKind.MEMBER, root, ids=(nam, hoa))
    assert sorted(books) == [nam, hoa]
    assert books[hoa] == {"TN": {"2026": 120}, "YT": {"2026": 240}}
    totals = await repo.member_totals(root, "2026-11", ids=(nam, hoa))
    assert [(t.key, t.program, t.achieved) for t in totals] == [(hoa, "YT", 5)]
    everyone = await repo.member_totals(root, "2026-11")
    assert sorted((t.key, t.program, t.achieved) for t in everyone) == [
        (lan, "TN", 2),
        (hoa, "YT", 5),
    ]
