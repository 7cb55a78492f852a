"""The demo as a lead (issue 12): the README's phones are the demo's, and a lead's first
lines (the summary, the queue, a quota, the audit log) work on any day."""

from __future__ import annotations

from pathlib import Path

from admin.demo import demo_leads
from tests.support.cli import ROOT, bot, rows


def test_the_readme_names_the_demo_leads_by_their_real_phones() -> None:
    readme = (ROOT / "README.md").read_text(encoding="utf-8")
    leads = demo_leads()
    assert [row.name for row in leads] == ["Trần Minh Đức", "Ngô Thị Thu"]
    for row in leads:
        assert f"{row.phone} ({row.name}" in readme
    assert f"console --phone {leads[0].phone}" in readme


def test_the_demo_lead_reads_the_summary_and_changes_a_quota(tmp_path: Path) -> None:
    filled = bot(tmp_path, "demo", stdin="")
    assert filled.returncode == 0, filled.stderr
    assert "python bot.py console --phone 0913000002" in filled.stdout
    session = bot(
        tmp_path,
        "console",
        "--phone",
        "0913000002",
        stdin="/tonghop\n/duyet\n/chitieu 0912000001 TN tháng sau 15\ny\n/nhatky\n",
    )
    assert session.returncode == 0, session.stderr
    out = session.stdout
    assert "📣 Tổng hợp tháng" in out and "· BHXH cơ sở Hạc Thành" in out
    assert "bản ghi đang chờ duyệt" in out or "Không có bản ghi nào đang chờ duyệt." in out
    assert "✅ Chỉ tiêu BHXH tự nguyện" in out and "→ 15." in out
    assert "chỉ tiêu · Nguyễn Thị Lan (0912000001) · TN" in out
    assert rows(tmp_path, "SELECT count(*) FROM audit_log WHERE action = 'quota'") == [(1,)]
