"""A lead's participant figures: count rolled forward, growth, flows, retention."""

from __future__ import annotations

from datetime import date

from commands.context import Services
from commands.participant_report import ProgramParticipants, participant_report
from commands.registry import run_text
from commands.summary_data import build_summary
from storage.store_base import StoreBase
from tests.conftest import COMMUNE, NOW, OFFICE, POST_OFFICE
from tests.test_due_renew import SECRET, log_earlier
from tracker.models import Channel
from tracker.participant_counts import CountRow
from tracker.periods import parse_period
from tracker.renewals import Growth

X, Y, Z = "0123400001", "0123400002", "0123400003"


async def organisation(services: Services) -> StoreBase:
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret(SECRET)
    lan = await repo.member_by_phone("0912000001")
    assert lan is not None
    await repo.import_participant_counts(
        [
            CountRow(2, OFFICE, "TN", date(2025, 11, 1), 1_000),
            CountRow(3, OFFICE, "TN", date(2026, 8, 1), 1_100),
            CountRow(4, COMMUNE, "TN", date(2026, 8, 1), 400),
        ],
        NOW,
    )
    await log_earlier(repo, lan, X, date(2026, 7, 20))  # due 20/08, lapsed on 18/11
    await log_earlier(repo, lan, Y, date(2026, 7, 5))  # due 05/08, lapsed, rejoins today
    await log_earlier(repo, lan, Z, date(2026, 10, 1))  # due 01/11, renewed late today
    for text in (
        f"/giahan TN ma={Y} ky=1",
        f"/giahan TN ma={Z} ky=1",
        "/ghi TN 3",
        "/ghi TN 1 tg lai",
    ):
        reply = await run_text(services, lan, text, Channel.CONSOLE, None)
        assert reply.text.startswith(("✅", "Đã")), reply.text
    return repo


async def test_a_leads_figures_for_the_month(services: Services) -> None:
    repo = await organisation(services)
    office = await repo.unit_by_path(OFFICE)
    commune = await repo.unit_by_path(COMMUNE)
    assert office is not None and commune is not None
    november = parse_period("2026-11")
    today = NOW.date()
    [tn, yt] = await participant_report(repo, office.id, november, today, 90, ("TN", "YT"))
    # 1.100 on 01/08; since then: Z and 3 new (+4), one `tg lai` and Y rejoining (+2),
    # X and Y lapsed (-2).
    assert tn == ProgramParticipants(
        program="TN", as_of=today, count=1_104, last_year=1_000, growth=Growth(104, 1040),
        new=3, rejoined=2, renewed=2, fallen_due=1, retained=1, lapsed=0,
    )  # fmt: skip
    assert tn.retention == 10_000
    assert yt.count is None and yt.growth is None and yt.retention is None
    [commune_tn, _] = await participant_report(repo, commune.id, november, today, 90, ("TN", "YT"))
    assert (commune_tn.count, commune_tn.last_year, commune_tn.growth) == (404, None, None)
    august = parse_period("2026-08")
    [tn_august, _] = await participant_report(repo, office.id, august, today, 90, ("TN", "YT"))
    assert (tn_august.fallen_due, tn_august.retained, tn_august.lapsed) == (2, 0, 2)
    # The count on 31/08 is what was known that day (what the lead reported then): the
    # lapses of X and Y became known only in November, so they count from then on.
    assert tn_august.count == 1_100
    assert tn_august.retention == 0


async def test_progress_and_units_of_a_lead_show_the_participants(services: Services) -> None:
    await organisation(services)
    duc = await services.repo.member_by_phone("0913000001")
    assert duc is not None
    block = [
        "👥 Người tham gia · BHXH cơ sở Hạc Thành:",
        "BHXH tự nguyện: 1.104 người (ngày 23/11/2026)"
        " · tăng 104 người (10,40%) so với cùng kỳ năm trước",
        "  khai thác mới 3 · tham gia lại 2 · gia hạn 2 · dừng đóng 0 · tỷ lệ duy trì 100,00%"
        " (1/1 người đến hạn)",
        "BHYT hộ gia đình: chưa có số người tham gia (nhập bằng import-participant-counts)",
        "  khai thác mới 0 · tham gia lại 0 · gia hạn 0 · dừng đóng 0"
        " · tỷ lệ duy trì: chưa ai đến hạn",
    ]
    progress = await run_text(services, duc, "/tiendo", Channel.CONSOLE, None)
    assert progress.text.splitlines()[-5:] == block
    units = await run_text(services, duc, "/donvi", Channel.CONSOLE, None)
    assert units.text.splitlines()[-5:] == block
    # An officer's progress stays their own.
    lan = await services.repo.member_by_phone("0912000001")
    assert lan is not None
    own = await run_text(services, lan, "/tiendo", Channel.CONSOLE, None)
    assert "Người tham gia" not in own.text


async def test_the_weekly_summary_has_one_line_of_participants(services: Services) -> None:
    repo = await organisation(services)
    office = await repo.unit_by_path(OFFICE)
    assert office is not None
    text, _ = await build_summary(
        repo, services.rules, office, parse_period("2026-W48"), NOW.date(), so_far=True
    )
    assert text.splitlines()[-1] == (
        "👥 Người tham gia: BHXH tự nguyện 1.104 (+104 người, +10,40% so với cùng kỳ) · mới 5"
        " · gia hạn 2"
        " · dừng đóng 0 · duy trì —"
    )
    nothing_known = await repo.unit_by_path(POST_OFFICE)
    assert nothing_known is not None
    quiet, _ = await build_summary(
        repo, services.rules, nothing_known, parse_period("2026-W48"), NOW.date(), so_far=True
    )
    assert "Người tham gia" not in quiet
