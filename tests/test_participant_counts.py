"""A unit's participant count rolled forward from the official figure (pure rules)."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path

from tests.support.cli import bot, rows, staffed
from tracker.participant_counts import (
    CountEvent,
    CountFigure,
    ancestors_from_lineage,
    counts_on,
    latest_figures,
)
from tracker.periods import VIETNAM
from tracker.renewals import CountChanges

# Province 1 > office 4 > communes 9 and 10.
ANCESTORS = ancestors_from_lineage({1: "/1/", 4: "/1/4/", 9: "/1/4/9/", 10: "/1/4/10/"})


def test_lineage_gives_each_unit_and_those_above() -> None:
    assert ANCESTORS == {1: (1,), 4: (4, 1), 9: (9, 4, 1), 10: (10, 4, 1)}


def test_the_latest_figure_on_or_before_the_day_is_used() -> None:
    figures = [
        CountFigure(9, "TN", date(2026, 6, 30), 400),
        CountFigure(9, "TN", date(2026, 9, 30), 420),
        CountFigure(9, "TN", date(2026, 12, 31), 999),
    ]
    assert latest_figures(figures, date(2026, 11, 29)) == {(9, "TN"): figures[1]}
    assert latest_figures(figures, date(2026, 6, 29)) == {}


def test_counts_roll_forward_in_every_unit_above_the_events() -> None:
    figures = [
        CountFigure(4, "TN", date(2026, 10, 31), 14_817),
        CountFigure(9, "TN", date(2026, 10, 31), 1_591),
        CountFigure(10, "TN", date(2026, 11, 15), 300),  # imported later: earlier events left out
        CountFigure(9, "YT", date(2026, 10, 31), 5_000),
    ]
    events = [
        CountEvent(9, "TN", date(2026, 10, 31), new=7),  # on the figure's day: already in it
        CountEvent(9, "TN", date(2026, 11, 2), new=3, rejoined=1),
        CountEvent(10, "TN", date(2026, 11, 10), new=5),
        CountEvent(10, "TN", date(2026, 11, 20), new=2, lapsed=1),
        CountEvent(9, "TN", date(2026, 11, 25), lapsed=4),
        CountEvent(9, "TN", date(2026, 12, 2), new=50),  # after the day counted
    ]
    found = counts_on(date(2026, 11, 29), figures, events, ANCESTORS)
    assert {key: (c.count, c.changes) for key, c in found.items()} == {
        (4, "TN"): (14_817 + 3 + 1 + 5 + 2 - 1 - 4, CountChanges(10, 1, 5)),
        (9, "TN"): (1_591 + 3 + 1 - 4, CountChanges(3, 1, 4)),
        (10, "TN"): (300 + 2 - 1, CountChanges(2, 0, 1)),
        (9, "YT"): (5_000, CountChanges()),
    }
    # Before the office's figure, nothing is known of it; a unit without one has no count.
    assert counts_on(date(2026, 10, 30), figures, events, ANCESTORS) == {}


STAFF = (
    "unit,name,phone,role\n"
    "BHXH tỉnh Thanh Hóa / Phường Hạc Thành,Nguyễn Thị Lan,0912000001,officer\n"
    "BHXH tỉnh Thanh Hóa,Hoàng Quốc Việt,0915000001,admin\n"
)


def test_import_participant_counts_all_or_nothing_then_rolled_forward(tmp_path: Path) -> None:
    today = datetime.now(VIETNAM).date()
    yesterday = today - timedelta(days=1)
    staffed(tmp_path, STAFF)
    logged = bot(
        tmp_path, "console", "--phone", "0912000001", stdin="/ghi TN 3\n/ghi TN 1 tg lai\n"
    )
    assert logged.stdout.count("✅ Đã ghi") == 2, logged.stderr

    good = (
        "unit,program,as_of,count\n"
        f"BHXH tỉnh Thanh Hóa,TN,{yesterday.isoformat()},14.817\n"
        f"BHXH tỉnh Thanh Hóa / Phường Hạc Thành,tn,{yesterday:%d/%m/%Y},1591\n"
    )
    (tmp_path / "bad.csv").write_text(
        good
        + f"BHXH tỉnh Nghệ An,TN,{yesterday.isoformat()},10\n"
        + f"BHXH tỉnh Thanh Hóa,TN,{yesterday.isoformat()},9\n"
        + "BHXH tỉnh Thanh Hóa,XY,2026-10-31,9\n"
        + "BHXH tỉnh Thanh Hóa,YT,31/02/2026,9\n"
        + "BHXH tỉnh Thanh Hóa,YT,2026-10-31,-9\n",
        encoding="utf-8",
    )
    bad = bot(tmp_path, "import-participant-counts", "bad.csv")
    assert bad.returncode == 1
    assert bad.stderr.splitlines()[1:] == [
        "  dòng 5: trùng đơn vị, loại hình và ngày với dòng 2",
        '  dòng 6: loại hình "XY" không có',
        '  dòng 7: ngày "31/02/2026" không hợp lệ (2026-10-31 hoặc 31/10/2026)',
        '  dòng 8: số người "-9" phải là số nguyên không âm',
    ]
    assert rows(tmp_path, "SELECT count(*) FROM participant_counts") == [(0,)]
    unknown = tmp_path / "unknown.csv"
    unknown.write_text(good + f"BHXH tỉnh Nghệ An,TN,{yesterday.isoformat()},10\n", "utf-8")
    refused = bot(tmp_path, "import-participant-counts", "unknown.csv")
    assert refused.returncode == 1
    assert refused.stderr.splitlines()[1:] == ['  dòng 4: không có đơn vị "BHXH tỉnh Nghệ An"']
    assert rows(tmp_path, "SELECT count(*) FROM participant_counts") == [(0,)]

    (tmp_path / "counts.csv").write_text(good, encoding="utf-8")
    done = bot(tmp_path, "import-participant-counts", "counts.csv")
    assert done.returncode == 0, done.stderr
    shown = f"{yesterday:%d/%m/%Y}"
    assert done.stdout.splitlines() == [
        f"Đã nhập 2 số người tham gia. Số người tham gia hôm nay ({today:%d/%m/%Y}):",
        f"  BHXH tỉnh Thanh Hóa · TN: 14.821 (số liệu 14.817 ngày {shown};"
        " +3 mới, +1 tham gia lại, -0 dừng đóng)",
        f"  BHXH tỉnh Thanh Hóa / Phường Hạc Thành · TN: 1.595 (số liệu 1.591 ngày {shown};"
        " +3 mới, +1 tham gia lại, -0 dừng đóng)",
    ]
