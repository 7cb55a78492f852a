"""Issue 14: retention weighing in the year-end score, through /thidua on both backends.

With `[retention] weight = w`, score = (1 - w) * completion + w * retention of the
member's own participants (renewed in time / fallen due in the year)."""

from __future__ import annotations

from dataclasses import replace
from fractions import Fraction

from commands.context import Services
from commands.registry import run_text
from tests.test_due_renew import OLD, setting
from tracker.models import Channel


def score(points: int) -> str:
    return f"Điểm quy đổi hiện tại: {points} (kỳ hạn đóng dài) · Không hoàn thành nhiệm vụ"


async def score_lines(services: Services, phone: str) -> list[str]:
    member = await services.repo.member_by_phone(phone)
    assert member is not None
    reply = await run_text(services, member, "/thidua", Channel.CONSOLE, None)
    return reply.text.splitlines()[1:3]


async def test_retention_weighs_in_only_when_configured(services: Services) -> None:
    people = await setting(services)  # Lan: 2 participants fell due this year, none renewed
    lan = people["0912000001"]
    unweighted = await score_lines(services, lan.phone)
    completion = "Hoàn thành kế hoạch: TN 3,33% · YT 0,00%"
    # Without retention the converted score is 2 (TN weighs 0,6, YT 0,4).
    assert unweighted == [completion, score(2)]
    weighted = replace(
        services, emulation=replace(services.emulation, retention_weight=Fraction(1, 2))
    )
    # Nobody renewed: retention 0%, so half the score goes: (2 + 0) / 2 = 1.
    assert await score_lines(weighted, lan.phone) == [completion, score(1)]
    renewed = await run_text(weighted, lan, f"/giahan TN ma={OLD} ky=3", Channel.CONSOLE, "k1")
    assert renewed.text.startswith("Đã gia hạn TN mã …111")
    # One of the two renewed in time: retention 50%, (2 + 50) / 2 = 26.
    assert await score_lines(weighted, lan.phone) == [completion, score(26)]
    assert await score_lines(services, lan.phone) == unweighted  # weight 0: as before
