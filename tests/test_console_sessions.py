"""Issue 12's lead and officer cases through the piped console (`python bot.py console`,
text on stdin, a real process on a real SQLite file), and a lead asking for a file over
SMS from the running bot (`python bot.py`, /sms/inbound as Kannel calls it)."""

from __future__ import annotations

import asyncio
from datetime import datetime
from pathlib import Path

import httpx

from tests.support.cli import bot, rows, staffed
from tests.support.net import free_port
from tests.test_faults_kill import SECRET, start_bot
from tracker.periods import VIETNAM

LAN, NAM, LEAD = "0912000001", "0912000002", "0913000001"
COMMUNE = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành / Phường Hạc Thành"
STAFF = (
    "unit,name,phone,role\n"
    f"{COMMUNE},Nguyễn Thị Lan,{LAN},officer\n"
    f"{COMMUNE},Phạm Văn Nam,{NAM},officer\n"
    f"BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành,Trần Minh Đức,{LEAD},lead\n"
)


def console(tmp_path: Path, phone: str, *lines: str) -> list[str]:
    """One piped session; its replies, one block per line typed (the greeting dropped)."""
    session = bot(tmp_path, "console", "--phone", phone, stdin="".join(f"{x}\n" for x in lines))
    assert session.returncode == 0, session.stderr
    greeting, *replies = session.stdout.rstrip("\n").split("\n", 1)
    assert greeting.startswith("Xin chào ")
    return replies[0].split("\n\n") if replies else []


def today() -> str:
    """The day the bot logs on: its own clock, in Vietnam (these run on any day)."""
    return datetime.now(VIETNAM).strftime("%d/%m/%Y")


def states(tmp_path: Path) -> list[tuple[object, ...]]:
    return rows(tmp_path, "SELECT id, state, state_reason FROM entries ORDER BY id")


def test_an_officer_undoes_their_own_unconfirmed_entry_not_a_confirmed_one(
    tmp_path: Path,
) -> None:
    staffed(tmp_path, STAFF)
    day = today()
    logged = console(tmp_path, LAN, "/ghi TN 2", "/ghi TN 3", "/huy")
    assert logged[2] == f"↩️ Đã hủy bản ghi 3 người tham gia BHXH tự nguyện ngày {day}."
    assert console(tmp_path, LEAD, "/duyet 1") == [
        f"✅ Đã xác nhận bản ghi #1: Nguyễn Thị Lan · BHXH tự nguyện 2 người · {day}."
    ]
    assert console(tmp_path, LAN, "/huy") == [
        f"Bản ghi gần nhất (#1, BHXH tự nguyện 2 người, ngày {day}) đã được lãnh đạo xác nhận nên"
        f" không"
        " tự hủy được. Hãy nhờ lãnh đạo đơn vị nếu cần sửa."
    ]
    assert states(tmp_path) == [(1, "confirmed", None), (2, "voided", "undo")]
    assert rows(tmp_path, "SELECT action, subject, before, after FROM audit_log ORDER BY id") == [
        ("entry.undo", f"#2 Nguyễn Thị Lan · TN 3 ({day})", "reported", "voided"),
        ("entry.confirm", f"#1 Nguyễn Thị Lan · TN 2 ({day})", "reported", "confirmed"),
    ]


def test_a_lead_reopens_a_rejected_entry_after_a_yes_and_the_reason_stays(
    tmp_path: Path,
) -> None:
    staffed(tmp_path, STAFF)
    day = today()
    console(tmp_path, LAN, "/ghi YT 1")
    replies = console(tmp_path, LEAD, "/tuchoi 1 sai ngày", "/duyet 1", "n", "/duyet 1", "y")
    assert replies[1] == (
        f"Bản ghi #1 (Nguyễn Thị Lan · BHYT hộ gia đình 1 người · {day}) đã bị từ chối. Lý do:"
        f" sai ngày."
        " Mở lại và xác nhận bản ghi này?\nGõ y để đồng ý, n để bỏ.\n  [1] ✅ Đồng ý\n  [2] ✖ Bỏ"
    )
    assert replies[2] == "Đã bỏ, không thay đổi gì."
    assert replies[4].splitlines() == [
        f"✅ Đã mở lại và xác nhận bản ghi #1: Nguyễn Thị Lan · BHYT hộ gia đình 1 người · {day}."
        " Lý do từ chối trước vẫn được lưu trong nhật ký.",
        f"  [→ Nguyễn Thị Lan] ✅ Bản ghi #1 (BHYT hộ gia đình 1 người, ngày {day}) của bạn đã được"
        " Trần Minh Đức mở lại và xác nhận.",
    ]
    assert states(tmp_path) == [(1, "confirmed", "sai ngày")]
    assert rows(tmp_path, "SELECT action, before, after FROM audit_log ORDER BY id") == [
        ("entry.reject", "reported", "rejected: sai ngày"),
        ("entry.reopen", "rejected: sai ngày", "confirmed"),
    ]


def test_the_review_queue_pages_filters_and_confirms_what_it_shows_after_one_yes(
    tmp_path: Path,
) -> None:
    staffed(tmp_path, STAFF)
    day = today()
    console(tmp_path, LAN, *["/ghi TN 2"] * 8)  # entries 1-8
    console(tmp_path, NAM, *["/ghi YT 2"] * 4)  # entries 9-12
    first, second, nam, asked, done = console(
        tmp_path, LEAD, "/duyet", "22", f"/duyet {NAM}", "9", "y"
    )
    first_lines = first.splitlines()
    assert first_lines[:3] == [
        "📝 12 bản ghi đang chờ duyệt.",
        "Trang 1/2, 10 bản ghi (mới nhất trước):",
        f"#12 Phạm Văn Nam · BHYT hộ gia đình 2 người · {day} (máy tính)",
    ]
    assert first_lines[-2:] == ["  [21] ✅ Duyệt cả 10 bản ghi trên", "  [22] Trang sau ▶"]
    # [22], the next page, typed as its number.
    assert second.splitlines()[:4] == [
        "📝 12 bản ghi đang chờ duyệt.",
        "Trang 2/2, 2 bản ghi (mới nhất trước):",
        f"#2 Nguyễn Thị Lan · BHXH tự nguyện 2 người · {day} (máy tính)",
        f"#1 Nguyễn Thị Lan · BHXH tự nguyện 2 người · {day} (máy tính)",
    ]
    assert nam.splitlines()[:2] == [
        "📝 4 bản ghi đang chờ duyệt của Phạm Văn Nam.",
        "Trang 1/1, 4 bản ghi (mới nhất trước):",
    ]
    assert nam.splitlines()[-1] == "  [9] ✅ Duyệt cả 4 bản ghi trên"
    assert asked.splitlines()[:2] == [
        "Duyệt cùng lúc 4 bản ghi: #12, #11, #10, #9?",
        "Gõ y để đồng ý, n để bỏ.",
    ]
    assert done.splitlines() == [
        f"✅ Đã xác nhận bản ghi #{n}: Phạm Văn Nam · BHYT hộ gia đình 2 người · {day}."
        for n in (12, 11, 10, 9)
    ]
    # Exactly the four shown: Lan's eight still wait.
    assert rows(tmp_path, "SELECT id FROM entries WHERE state = 'confirmed' ORDER BY id") == [
        (9,), (10,), (11,), (12,)
    ]  # fmt: skip
    assert rows(tmp_path, "SELECT count(*) FROM entries WHERE state = 'reported'") == [(8,)]


def test_a_lead_asking_for_a_file_by_sms_is_told_where_to_get_it(tmp_path: Path) -> None:
    staffed(tmp_path, STAFF)
    console(tmp_path, LAN, "/ghi TN 2")

    async def ask() -> dict[str, str]:
        port = free_port()
        process = await start_bot(tmp_path / "quota.db", port)
        answers = {}
        try:
            base = f"http://127.0.0.1:{port}"
            async with httpx.AsyncClient(base_url=base, trust_env=False) as http:
                for n, text in enumerate(["/xuat", "XUAT thang 10", "/hoso 0912000001", "/bieudo"]):
                    params = {"from": "84" + LEAD[1:], "to": "8088", "text": text, "id": f"f{n}"}
                    response = await http.get("/sms/inbound", params={**params, "secret": SECRET})
                    assert response.status_code == 200
                    answers[text] = response.text
        finally:
            process.terminate()
            await process.wait()
        return answers

    answers = asyncio.run(ask())
    assert answers == {
        "/xuat": "Tep va bieu do khong gui duoc qua SMS. Hay go /xuat tren Telegram hoac Zalo.",
        "XUAT thang 10": (
            "Tep va bieu do khong gui duoc qua SMS. Hay go /xuat tren Telegram hoac Zalo."
        ),
        "/hoso 0912000001": (
            "Tep va bieu do khong gui duoc qua SMS. Hay go /hoso tren Telegram hoac Zalo."
        ),
        "/bieudo": "Tep va bieu do khong gui duoc qua SMS. Hay go /bieudo tren Telegram hoac Zalo.",
    }
    assert list((tmp_path).glob("*.xlsx")) == [] and list(tmp_path.glob("out/*")) == []
    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(1,)]
