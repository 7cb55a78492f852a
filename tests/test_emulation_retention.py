"""Issue 14: retention weighing in the year-end score, through /thidua on both backends.

With `[retention] weight = w`, score = (1 - w) * completion + w * retention of the
member's own participants (renewed in time / fallen due in the year)."""

from __future__ import annotations

import io
from dataclasses import replace
from fractions import Fraction

from openpyxl import load_workbook

from commands.context import Services
from commands.registry import run_text
from tests.support.members import say
from tests.test_due_renew import OLD, setting
from tracker.models import Channel


def score(points: int, retention: str = "") -> str:
    made_of = f"kỳ hạn đóng dài, tỷ lệ duy trì {retention}" if retention else "kỳ hạn đóng dài"
    return f"Điểm quy đổi hiện tại: {points} ({made_of}) · Không hoàn thành nhiệm vụ"


async def score_lines(services: Services, phone: str) -> list[str]:
    reply = await say(services, phone, "/thidua")
    return reply.text.splitlines()[1:3]


async def test_retention_weighs_in_only_when_configured(services: Services) -> None:
    people = await setting(services)  # Lan: 2 participants fell due this year, none renewed
    lan = people["0912000001"]
    unweighted = await score_lines(services, lan.phone)
    completion = "Hoàn thành kế hoạch phát triển mới: BHXH tự nguyện 3,33% · BHYT hộ gia đình 0,00%"
    # Without retention the converted score is 2 (TN weighs 0,6, YT 0,4).
    assert unweighted == [completion, score(2)]
    weighted = replace(
        services, emulation=replace(services.emulation, retention_weight=Fraction(1, 2))
    )
    # Nobody renewed: retention 0%, so half the score goes: (2 + 0) / 2 = 1.
    assert await score_lines(weighted, lan.phone) == [completion, score(1, "0,00%")]
    renewed = await run_text(weighted, lan, f"/giahan TN ma={OLD} ky=3", Channel.CONSOLE, "k1")
    assert renewed.text.startswith("Đã gia hạn BHXH tự nguyện mã …111")
    # One of the two renewed in time: retention 50%, (2 + 50) / 2 = 26.
    assert await score_lines(weighted, lan.phone) == [completion, score(26, "50,00%")]
    assert await score_lines(services, lan.phone) == unweighted  # weight 0: as before


def labelled(points: int, made_of: str) -> str:
    return f"Điểm quy đổi hiện tại: {points} ({made_of}) · Không hoàn thành nhiệm vụ"


async def unit_lines(services: Services, phone: str) -> list[str]:
    """The unit's own level at the top of a lead's /thidua: title, completion, score."""
    reply = await say(services, phone, "/thidua")
    return reply.text.splitlines()[1:5]


async def test_the_unit_level_weighs_retention_as_its_members_do(services: Services) -> None:
    people = await setting(services)
    lan, duc = people["0912000001"], people["0913000001"]
    # The office's plan is its members' targets added up: TN 3 x 120 = 360, YT 720.
    # Lan's 4 TN participants weigh 4,3 (one paid 12 months ahead weighs 1,3):
    # 0,6 x 100 x 4,3 / 360 = 0,71..., so the unit's converted score is 0; by the year's
    # end at this pace 0,71... x 365 / 327 = 0,79..., still 0.
    completion = "Hoàn thành kế hoạch phát triển mới: BHXH tự nguyện 1,11% · BHYT hộ gia đình 0,00%"
    unweighted = await unit_lines(services, duc.phone)
    assert unweighted == [
        "Đơn vị BHXH cơ sở Hạc Thành:",
        completion,
        labelled(0, "kỳ hạn đóng dài"),
        "Dự kiến cuối năm: điểm quy đổi 0 · Không hoàn thành nhiệm vụ",
    ]
    weighted = replace(
        services, emulation=replace(services.emulation, retention_weight=Fraction(1, 2))
    )
    # Retention weighs in for the unit as for Lan: 2 fell due in the office, none renewed.
    assert await unit_lines(weighted, duc.phone) == [
        "Đơn vị BHXH cơ sở Hạc Thành:",
        completion,
        labelled(0, "kỳ hạn đóng dài, tỷ lệ duy trì 0,00%"),
        "Dự kiến cuối năm: điểm quy đổi 0 · Không hoàn thành nhiệm vụ",
    ]
    await run_text(weighted, lan, f"/giahan TN ma={OLD} ky=3", Channel.CONSOLE, "k2")
    # One of two renewed in time: (0,71... + 50) / 2 = 25,35...; projected
    # (0,79... + 50) / 2 = 25,39...: the rate is not projected.
    assert await unit_lines(weighted, duc.phone) == [
        "Đơn vị BHXH cơ sở Hạc Thành:",
        completion,
        labelled(25, "kỳ hạn đóng dài, tỷ lệ duy trì 50,00%"),
        "Dự kiến cuối năm: điểm quy đổi 25 · Không hoàn thành nhiệm vụ",
    ]
    # Lan's own line names the same parts; with the weight at 0 the unit is as before.
    assert (await score_lines(weighted, lan.phone))[1] == labelled(
        26, "kỳ hạn đóng dài, tỷ lệ duy trì 50,00%"
    )
    assert await unit_lines(services, duc.phone) == unweighted


async def test_the_score_names_only_the_parts_in_effect(services: Services) -> None:
    people = await setting(services)
    nam = people["0912000002"]
    # Nam logs 12 paid month by month: 0,6 x 100 x 12 / 120 = 6, nothing more to name.
    logged = await run_text(services, nam, "/ghi TN 12 ky=1", Channel.CONSOLE, "n1")
    assert logged.text.startswith("✅ Đã ghi 12 người tham gia BHXH tự nguyện")
    plain = "Điểm quy đổi hiện tại: 6 · Không hoàn thành nhiệm vụ"
    assert (await score_lines(services, nam.phone))[1] == plain
    weighted = replace(
        services, emulation=replace(services.emulation, retention_weight=Fraction(1, 2))
    )
    # Nobody of his fell due: retention does not weigh in and is not named.
    assert (await score_lines(weighted, nam.phone))[1] == plain
    await run_text(weighted, people["0912000001"], "/ngonngu en", Channel.CONSOLE, None)
    lan_en = await score_lines(weighted, "0912000001")
    assert lan_en[1] == (
        "Converted score so far: 1 (longer payment terms, retention rate 0.00%) · Not completed"
    )


async def test_the_dossier_scores_as_thidua_does(services: Services) -> None:
    people = await setting(services)
    weighted = replace(
        services, emulation=replace(services.emulation, retention_weight=Fraction(1, 2))
    )
    await run_text(
        weighted, people["0912000001"], f"/giahan TN ma={OLD} ky=3", Channel.CONSOLE, "k3"
    )
    reply = await run_text(
        weighted, people["0913000001"], "/hoso 0912000001", Channel.CONSOLE, None
    )
    sheet = load_workbook(io.BytesIO(reply.attachments[0].content))["Hồ sơ thi đua"]
    cells = {row[0]: row[1] for row in sheet.iter_rows(values_only=True) if row and row[0]}
    # The same 26 as /thidua: (2,15 + 50) / 2, one of Lan's two renewed in time.
    assert cells["Điểm thi đua (%)"] == 26
