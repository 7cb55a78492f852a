"""/denhan and /giahan through the commands (console and SMS text) on a real SQLite file."""

from __future__ import annotations

from datetime import UTC, date, datetime
from pathlib import Path

from admin.collections import import_collections_file
from commands.context import Services
from commands.registry import run_text
from locales import Translator
from storage.renewals_repository import RetentionFigures
from storage.repository import StaffRow
from storage.sqlite import SQLiteRepository
from storage.store_base import StoreBase
from tests.conftest import NOW, OFFICE
from tracker.models import Channel, Member, NewEntry, Role
from tracker.participants import HashedParticipant, participant_hash

SECRET = "test-secret-gia-han"
CODE = "0123456789"  # logged by Lan on 20/11, 1 month: due 20/12/2026
OLD = "0123456111"  # logged 01/10, 1 month: due 01/11/2026, overdue
GONE = "0123456222"  # logged 01/07, 1 month: due 01/08/2026, lapsed on 30/10
CCCD = "038096001234"  # logged today, 12 months: not due


async def staff(services: Services) -> dict[str, Member]:
    found = {}
    for phone in ("0912000001", "0912000002", "0912000003", "0913000001"):
        member = await services.repo.member_by_phone(phone)
        assert member is not None
        found[phone] = member
    return found


async def log_earlier(repo: SQLiteRepository, member: Member, code: str, day: date) -> None:
    """An entry of a day longer ago than /ghi allows (as an import would bring)."""
    created = datetime(day.year, day.month, day.day, 3, tzinfo=UTC)
    entry = NewEntry(member.id, member.unit_id, "TN", day, 1, Channel.CONSOLE, created)
    hashed = HashedParticipant(participant_hash(code, SECRET), code[-3:], 1, False)
    logged = await repo.add_detailed_entry(entry, hashed)
    assert logged.created and logged.duplicate_of is None


async def setting(services: Services) -> dict[str, Member]:
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret(SECRET)
    people = await staff(services)
    lan = people["0912000001"]
    await log_earlier(repo, lan, OLD, date(2026, 10, 1))
    await log_earlier(repo, lan, GONE, date(2026, 7, 1))
    logged = await run_text(services, lan, f"/ghi TN 1 ma={CODE} ky=1 20/11", Channel.CONSOLE, "a")
    assert logged.text.startswith("✅ Đã ghi 1 người tham gia BHXH tự nguyện ngày 20/11/2026.")
    await run_text(services, lan, f"/ghi TN 1 ma={CCCD} ky=12", Channel.CONSOLE, "b")
    return people


async def test_an_officer_sees_their_participants_falling_due(services: Services) -> None:
    people = await setting(services)
    lan, nam = people["0912000001"], people["0912000002"]
    reply = await run_text(services, lan, "/denhan", Channel.CONSOLE, None)
    assert reply.text == "\n".join(
        [
            "Đến hạn đóng của Nguyễn Thị Lan: 2 người (hạn từ 25/08/2026 đến 23/12/2026)",
            "  …111 · BHXH tự nguyện · đóng đến 01/11/2026 · Nguyễn Thị Lan ghi · ⚠️ quá hạn",
            "  …789 · BHXH tự nguyện · đóng đến 20/12/2026 · Nguyễn Thị Lan ghi",
            "Khi người tham gia đóng tiếp: /giahan TN ma=<mã> ky=<tháng>.",
        ]
    )
    assert (await run_text(services, lan, "/due", Channel.CONSOLE, None)).text == reply.text
    sms = await run_text(services, lan, "DH", Channel.SMS, None)
    assert sms.text == "2 nguoi den han: ...111 TN 01/11/2026, ...789 TN 20/12/2026"
    none = await run_text(services, nam, "/denhan", Channel.CONSOLE, None)
    assert none.text == (
        "Phạm Văn Nam: không có người tham gia nào có hạn đóng từ 25/08/2026 đến 23/12/2026."
    )


async def test_a_lead_sees_counts_per_member_and_one_members_list(services: Services) -> None:
    people = await setting(services)
    duc, nam = people["0913000001"], people["0912000002"]
    reply = await run_text(services, duc, "/denhan", Channel.CONSOLE, None)
    assert reply.text == "\n".join(
        [
            "BHXH cơ sở Hạc Thành: 1 người sắp đến hạn, 1 người quá hạn chưa đóng"
            " (hạn từ 25/08/2026 đến 23/12/2026)",
            "  Phường Hạc Thành: 1 sắp đến hạn, 1 quá hạn",
            "Xem một đơn vị: /denhan <tên đơn vị>; danh sách của một người:"
            " /denhan <số điện thoại>.",
        ]
    )
    commune = await run_text(services, duc, "/denhan phuong hac thanh", Channel.CONSOLE, None)
    assert commune.text == "\n".join(
        [
            "Phường Hạc Thành: 1 người sắp đến hạn, 1 người quá hạn chưa đóng"
            " (hạn từ 25/08/2026 đến 23/12/2026)",
            "  Nguyễn Thị Lan: 1 sắp đến hạn, 1 quá hạn",
            "Danh sách của một người: /denhan <số điện thoại>.",
        ]
    )
    post = await run_text(services, duc, "/denhan Bưu điện", Channel.CONSOLE, None)
    assert post.text == (
        "Bưu điện Hạc Thành: không có người tham gia nào có hạn đóng từ 25/08/2026 đến 23/12/2026."
    )
    unknown = await run_text(services, duc, "/denhan Sầm Sơn", Channel.CONSOLE, None)
    assert unknown.text == 'Không tìm thấy đơn vị "Sầm Sơn" trong phạm vi của bạn.'
    listed = await run_text(services, duc, "/denhan 0912000001", Channel.CONSOLE, None)
    assert listed.text.splitlines()[0] == (
        "Đến hạn đóng của Nguyễn Thị Lan: 2 người (hạn từ 25/08/2026 đến 23/12/2026)"
    )
    # An officer cannot look at someone else's list.
    refused = await run_text(services, nam, "/denhan 0912000001", Channel.CONSOLE, None)
    assert refused.text == "Dùng /denhan để xem người tham gia của bạn sắp đến hạn đóng."


async def test_a_renewal_extends_the_date_and_never_counts_as_an_enrolment(
    services: Services,
) -> None:
    repo = services.repo
    assert isinstance(repo, StoreBase)
    people = await setting(services)
    lan, hoa = people["0912000001"], people["0912000003"]
    before = await repo.period_achieved(lan.id, "2026-11")

    # Hoa's post office never logged the code: refused, nothing stored.
    refused = await run_text(services, hoa, f"/giahan TN ma={CODE} ky=6", Channel.CONSOLE, "r0")
    assert refused.text == (
        "Chưa ghi gia hạn: người tham gia BHXH tự nguyện mã …789 chưa từng được ghi trong đơn vị"
        " của bạn."
        " Người mới hãy ghi bằng /ghi TN 1 ma=<mã>."
    )
    assert await repo._all("SELECT count(*) FROM renewals") == [(0,)]

    done = await run_text(services, lan, f"/giahan TN ma={CODE} ky=6", Channel.CONSOLE, "r1")
    expected = (
        "Đã gia hạn BHXH tự nguyện mã …789: đóng thêm 6 tháng từ 20/12/2026, đến 20/06/2027."
        " Tính là duy trì, không tính là khai thác mới."
    )
    assert done.text == expected
    again = await run_text(services, lan, f"/renew TN ma={CODE} ky=6", Channel.CONSOLE, "r1")
    assert again.text == expected  # the same message twice: one renewal
    late = await run_text(services, lan, f"GH TN {OLD} 3", Channel.SMS, "r2")
    assert late.text == (
        "Da gia han TN ...111 (dong bu tu 01/11/2026): den 01/02/2027. Tinh duy tri."
    )
    rejoin = await run_text(services, lan, f"/giahan TN ma={GONE} ky=1", Channel.CONSOLE, "r3")
    assert rejoin.text == (
        "Đã ghi BHXH tự nguyện mã …222 tham gia lại: hạn cũ 01/08/2026 đã quá thời gian ân hạn"
        " nên được"
        " tính là dừng đóng. Đóng đến 23/12/2026."
    )
    assert await repo._all(
        "SELECT last3, member_id, day, term_months, kind, due_was, paid_until FROM renewals"
        " ORDER BY id"
    ) == [
        ("789", lan.id, "2026-11-23", 6, "early", "2026-12-20", "2027-06-20"),
        ("111", lan.id, "2026-11-23", 3, "late", "2026-11-01", "2027-02-01"),
        ("222", lan.id, "2026-11-23", 1, "rejoin", "2026-08-01", "2026-12-23"),
    ]
    assert await repo.period_achieved(lan.id, "2026-11") == before
    # Renewed: off the list; the rejoined one falls due on 23/12.
    listed = await run_text(services, lan, "/denhan", Channel.CONSOLE, None)
    assert listed.text.splitlines()[1:-1] == [
        "  …222 · BHXH tự nguyện · đóng đến 23/12/2026 · Nguyễn Thị Lan ghi",
    ]


async def test_bad_renewals_get_a_clear_reply(services: Services) -> None:
    people = await setting(services)
    lan = people["0912000001"]
    usage = (
        "Cú pháp: /giahan TN ma=<mã số BHXH hoặc số định danh cá nhân> ky=<số tháng>,"
        " ví dụ /giahan TN ma=0123456789 ky=6 (tin nhắn: GH TN 0123456789 6)."
    )
    for text in ("/giahan", f"/giahan TN ma={CODE}", "/giahan TN ky=6", f"/giahan ma={CODE} 6"):
        assert (await run_text(services, lan, text, Channel.CONSOLE, None)).text == usage
    bad_term = await run_text(services, lan, f"/giahan TN ma={CODE} ky=7", Channel.CONSOLE, None)
    assert bad_term.text.startswith('Phương thức đóng "7" không hợp lệ')
    sms = await run_text(services, lan, "GH TN 6", Channel.SMS, None)
    assert sms.text == "Cu phap: GH TN <ma BHXH/so dinh danh> <so thang>, vd GH TN 0123456789 6"
    assert NOW.date() == date(2026, 11, 23)


async def test_collection_records_renew_and_a_typed_renewal_counts_once(
    services: Services, tmp_path: Path
) -> None:
    repo = services.repo
    assert isinstance(repo, StoreBase)
    people = await setting(services)
    lan = people["0912000001"]
    typed = await run_text(services, lan, f"/giahan TN ma={GONE} ky=1", Channel.CONSOLE, "g1")
    assert "tham gia lại" in typed.text
    stranger = "0999999999"
    path = tmp_path / "thu-11.csv"
    path.write_text(
        "participant_code,program,date_paid,term\n"
        f"{OLD},TN,2026-11-20,3\n"  # 50 days after its enrolment: a renewal, not the enrolment
        f"{GONE},TN,22/11/2026,1\n"  # the renewal Lan typed: the same payment
        f"{stranger},TN,2026-11-20,6\n",
        encoding="utf-8",
    )

    async def run_import() -> list[str]:
        report = await import_collections_file(
            repo, path, ("TN", "YT"), SECRET, NOW, Translator(), None, 90
        )
        return report.splitlines()

    await repo.import_staff([StaffRow(9, OFFICE, "Quản trị", "0915000001", Role.ADMIN)])
    report = await run_import()
    assert report[1] == (
        "Gia hạn tìm thấy trong dữ liệu thu: 2 (tính là duy trì, không tính là khai thác mới)."
    )
    assert report[-5:] == [
        "Đóng tiếp (gia hạn):",
        "  dòng 2 · …111 · TN nộp 20/11/2026 → đóng đến 01/02/2027",
        "  dòng 3 · …222 · TN nộp 22/11/2026 → đã ghi tay /giahan, tính một lần,"
        " đóng đến 23/12/2026",
        "Dòng thu không có bản ghi nào:",
        "  dòng 4 · …999 · TN nộp 20/11/2026",
    ]
    # Typed after the file brought it: the same payment, counted once.
    late = await run_text(services, lan, f"/giahan TN ma={OLD} ky=3", Channel.CONSOLE, "g2")
    assert late.text == (
        "Lần đóng này của BHXH tự nguyện mã …111 đã có trong dữ liệu thu: chỉ tính một lần."
        " Đóng đến 01/02/2027."
    )
    renewals = (
        "SELECT last3, member_id, day, kind, due_was, paid_until, collected_day, collected_from"
        " FROM renewals ORDER BY id"
    )
    expected = [
        ("222", lan.id, "2026-11-23", "rejoin", "2026-08-01", "2026-12-23", "2026-11-22",
         "thu-11.csv:3"),
        ("111", lan.id, "2026-11-20", "late", "2026-11-01", "2027-02-01", "2026-11-20",
         "thu-11.csv:2"),
    ]  # fmt: skip
    assert await repo._all(renewals) == expected
    # The same file again: nothing new.
    again = await run_import()
    assert again[again.index("Đóng tiếp (gia hạn):") + 1 :][:2] == [
        "  dòng 2 · …111 · TN nộp 20/11/2026 → đã có từ lần nhập trước",
        "  dòng 3 · …222 · TN nộp 22/11/2026 → đã có từ lần nhập trước",
    ]
    assert await repo._all(renewals) == expected
    # November: OLD fell due (01/11) and was renewed in time; two payments came in.
    november = await repo.retention(
        lan.unit_id, date(2026, 11, 1), date(2026, 11, 30), NOW.date(), 90
    )
    assert november == [RetentionFigures("TN", renewed=2, fallen_due=1, retained=1, lapsed=0)]
    # August: GONE fell due (01/08) and lapsed before rejoining in November.
    august = await repo.retention(lan.unit_id, date(2026, 8, 1), date(2026, 8, 31), NOW.date(), 90)
    assert august == [RetentionFigures("TN", renewed=0, fallen_due=1, retained=0, lapsed=1)]
