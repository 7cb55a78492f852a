"""The country-wide pass that keys every member's name for the boards does not fill the
cache of `name_order` (issue 15: 60,000 names and keys held about 17 MB of the bot)."""

from __future__ import annotations

from commands.context import Services
from leaderboards.ranking import name_order, vietnamese_order
from tests.support.members import reply_text


async def test_keying_every_name_for_the_boards_leaves_the_name_cache_alone(
    services: Services,
) -> None:
    name_order.cache_clear()
    reply = await reply_text(services, "0913000001", "/donvi")  # its first board keys names
    assert reply.startswith("🏢"), reply

    staff = ["Nguyễn Thị Lan", "Phạm Văn Nam", "Vũ Thị Hoa", "Trần Minh Đức"]
    hits = name_order.cache_info().hits
    keys = [name_order(name) for name in staff]
    assert name_order.cache_info().hits == hits  # none of them was cached by the pass
    assert keys == [vietnamese_order(name) for name in staff]
    assert sorted(staff, key=name_order) == [
        "Nguyễn Thị Lan",
        "Phạm Văn Nam",
        "Trần Minh Đức",
        "Vũ Thị Hoa",
    ]
