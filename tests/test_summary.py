"""The summary text: a hand-built unit checked line by line, the group-safe top, the most
improved, the caption limit; and the same gathered from a real SQLite file."""

from __future__ import annotations

from datetime import UTC, date, datetime

from commands.context import Services
from commands.summary_data import gather_summary
from commands.summary_text import (
    Improvement,
    MemberBadges,
    SummaryData,
    Total,
    compose_summary,
    most_improved,
    shareable_top,
    trend_chart,
)
from leaderboards.badges import BadgeCode
from leaderboards.ranking import RankedRow, Standing
from locales import Translator
from tests.conftest import COMMUNE
from tracker.models import Channel, NewEntry
from tracker.periods import parse_period

AT = datetime(2026, 11, 20, 3, 0, tzinfo=UTC)


def row(rank: int, key: int, name: str, achieved: int, target: int | None) -> RankedRow:
    return RankedRow(rank, Standing.of(key, name, achieved, target, AT if achieved else None))


BOARD = [
    row(1, 1, "Nguyễn Thị Lan", 1609, 1500),
    row(2, 2, "Phạm Văn Nam", 960, 1200),
    row(2, 3, "Vũ Thị Hoa", 960, 1200),
    row(4, 4, "Trần Minh Đức", 300, 1000),
    row(5, 5, "Lê Văn Tám", 0, 1000),
]

UNIT = SummaryData(
    unit_name="Phường Hạc Thành",
    period=parse_period("2026-11"),
    totals=(Total("TN", 2309, 3000), Total("YT", 1520, 2900), Total("", 3829, 5900)),
    top=shareable_top(BOARD),
    most_improved=Improvement("Trần Minh Đức", 1_850, 3_025),
    badges=(
        MemberBadges("Nguyễn Thị Lan", ((BadgeCode.QUOTA_MONTH, "TN"), (BadgeCode.CLUB_10, None))),
        MemberBadges("Vũ Thị Hoa", ((BadgeCode.STREAK, None),)),
    ),
    daily=(40,) * 30,
)


def test_summary_text_line_by_line() -> None:
    assert compose_summary(Translator("vi"), UNIT).splitlines() == [
        "📣 Tổng hợp tháng 11/2026 · Phường Hạc Thành",
        "Phát triển mới so với kế hoạch:",
        "· TN: 2.309/3.000 (76,96%)",
        "· YT: 1.520/2.900 (52,41%)",
        "· Tổng cộng: 3.829/5.900 (64,89%)",
        "🏆 Dẫn đầu:",
        "1. Nguyễn Thị Lan — 1.609/1.500 (107,26%)",
        "2. Phạm Văn Nam — 960/1.200 (80,00%)",
        "2. Vũ Thị Hoa — 960/1.200 (80,00%)",
        "📈 Tiến bộ nhất: Trần Minh Đức (tăng 18,50%, đạt 30,25%)",
        "🏅 Huy hiệu mới:",
        "· Nguyễn Thị Lan: Hoàn thành chỉ tiêu tháng (TN), Câu lạc bộ 10+",
        "· Vũ Thị Hoa: Chuỗi 4 tuần liên tục",
    ]


def test_summary_in_english_and_of_a_period_so_far() -> None:
    text = compose_summary(Translator("en"), UNIT, as_of=date(2026, 11, 23))
    lines = text.splitlines()
    assert lines[0] == "📣 Summary of month 11/2026 (to 23/11/2026) · Phường Hạc Thành"
    assert lines[2] == "· TN: 2,309/3,000 (76.96%)"
    assert "📈 Most improved: Trần Minh Đức (up 18.50%, now 30.25%)" in lines


def test_a_group_never_sees_a_low_rank() -> None:
    top = shareable_top(BOARD)
    # Five on the board: at most the better half (3), never the 4th or the one at zero.
    assert [r.standing.name for r in top] == ["Nguyễn Thị Lan", "Phạm Văn Nam", "Vũ Thị Hoa"]
    assert shareable_top(BOARD, size=2) == tuple(BOARD[:2])
    nobody = [row(1, 1, "Lan", 0, 10), row(1, 2, "Nam", 0, 10)]
    assert shareable_top(nobody) == ()
    text = compose_summary(Translator("vi"), UNIT)
    assert "Trần Minh Đức —" not in text and "Lê Văn Tám" not in text


def test_most_improved_is_the_biggest_gain_and_names_no_one_who_fell() -> None:
    now = {1: ("Lan", 9_000), 2: ("Nam", 6_050), 3: ("Hoa", 4_000), 4: ("Đức", None)}
    before = {1: 8_500, 2: 2_000, 3: 5_000, 4: 1_000}
    assert most_improved(now, before) == Improvement("Nam", 4_050, 6_050)
    assert most_improved({3: ("Hoa", 4_000)}, {3: 5_000}) is None
    assert most_improved({5: ("Tám", 4_000)}, {}) is None  # new this period: no baseline


def test_a_long_summary_drops_badge_lines_to_fit_a_photo_caption() -> None:
    several = ((BadgeCode.QUOTA_WEEK, "TN"), (BadgeCode.QUOTA_WEEK, "YT"), (BadgeCode.STREAK, None))
    many = tuple(MemberBadges(f"Cán bộ có tên rất dài số {n}", several) for n in range(30))
    data = SummaryData(UNIT.unit_name, UNIT.period, UNIT.totals, UNIT.top, None, many, ())
    full = compose_summary(Translator("vi"), data)
    fitted = compose_summary(Translator("vi"), data, limit=1024)
    assert len(full) > 1024 >= len(fitted)
    assert fitted.splitlines()[-1].startswith("· … và ")
    assert "· Cán bộ có tên rất dài số 0: Hoàn thành chỉ tiêu tuần (TN)," in fitted


def test_trend_chart_of_a_summary() -> None:
    chart = trend_chart(Translator("vi"), UNIT, days_shown=23)
    assert chart.cumulative[-1] == 23 * 40 and len(chart.cumulative) == 23
    assert (chart.days, chart.target, chart.thousands) == (30, 5900, ".")
    assert chart.plan_label == "Kế hoạch phát triển mới 5.900"
    assert chart.title == "Phường Hạc Thành · tháng 11/2026"


async def test_summary_gathered_from_storage(services: Services) -> None:
    repo = services.repo
    lan, nam = await repo.member_by_phone("0912000001"), await repo.member_by_phone("0912000002")
    assert lan is not None and nam is not None
    entries = [(lan, "TN", 6, 17), (lan, "YT", 2, 18), (nam, "TN", 1, 19), (lan, "TN", 2, 9)]
    for member, program, count, day in entries:
        at = datetime(2026, 11, day, 4, 0, tzinfo=UTC)
        await repo.add_entry(
            NewEntry(member.id, member.unit_id, program, date(2026, 11, day), count,
                     Channel.CONSOLE, at)
        )  # fmt: skip
    commune = await repo.unit_by_path(COMMUNE)
    assert commune is not None
    week = parse_period("2026-W47")
    data = await gather_summary(repo, services.rules, commune, week, date(2026, 11, 23))

    # Week targets: 120 and 240 a year, 7/365 of it each, for two people.
    assert data.totals == (Total("TN", 7, 4), Total("YT", 2, 10), Total("", 9, 14))
    assert [(r.rank, r.standing.name) for r in data.top] == [(1, "Nguyễn Thị Lan")]
    assert data.most_improved == Improvement("Nguyễn Thị Lan", 8_571, 11_428)
    assert data.daily == (0, 6, 2, 1, 0, 0, 0)
    # Lan's first enrollment was on 9/11, the week before: not new in W47.
    assert [(member.name, member.badges) for member in data.badges] == [
        (
            "Nguyễn Thị Lan",
            ((BadgeCode.CLUB_10, None), (BadgeCode.QUOTA_WEEK, "TN"), (BadgeCode.MINIMUM_3, None)),
        ),
        ("Phạm Văn Nam", ((BadgeCode.FIRST_ENROLLMENT, None),)),
    ]
