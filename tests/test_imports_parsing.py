"""Operator CSV files: every bad row reported by line, phones normalised."""

from __future__ import annotations

import pytest

from storage.repository import QuotaRow, StaffRow
from tracker.imports import Problem, decode, parse_quotas, parse_staff
from tracker.models import Role, TargetKind
from tracker.phones import InvalidPhone, normalise_phone

STAFF_HEADER = "unit,name,phone,role\n"
QUOTA_HEADER = "target_kind,target,program,period,quota\n"
CODES = ("TN", "YT")
UNIT = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Hạc Thành"


def by_line(problems: list[Problem]) -> list[Problem]:
    """Problems in file order (the operator's report sorts them the same way)."""
    return sorted(problems, key=lambda problem: problem.line)


def staff_problems(body: str) -> list[Problem]:
    return by_line(parse_staff(STAFF_HEADER + body)[1])


def quota_problems(body: str) -> list[Problem]:
    return by_line(parse_quotas(QUOTA_HEADER + body, CODES)[1])


def test_good_staff_file() -> None:
    text = (
        STAFF_HEADER
        + f"{UNIT},Nguyễn Văn An,0912000001,officer\n"
        + f'"{UNIT} / Bưu điện, Hạc Thành",Lê Thị Bình,+84 912 000 002,Agent\n'
        + f"{UNIT}, Trần Lãnh Đạo ,84912000003,LEAD\n"
    )
    rows, problems = parse_staff(text)
    assert problems == []
    assert rows == [
        StaffRow(2, UNIT, "Nguyễn Văn An", "0912000001", Role.OFFICER),
        StaffRow(3, f"{UNIT} / Bưu điện, Hạc Thành", "Lê Thị Bình", "0912000002", Role.AGENT),
        StaffRow(4, UNIT, "Trần Lãnh Đạo", "0912000003", Role.LEAD),
    ]


def test_bom_and_windows_line_endings() -> None:
    text = STAFF_HEADER + f"{UNIT},Nguyễn Văn An,0912000001,officer\n"
    raw = b"\xef\xbb\xbf" + text.replace("\n", "\r\n").encode("utf-8")
    decoded = decode(raw)
    assert not decoded.startswith("\ufeff")
    rows, problems = parse_staff(decoded)
    assert problems == []
    assert rows == [StaffRow(2, UNIT, "Nguyễn Văn An", "0912000001", Role.OFFICER)]


def test_decode_rejects_latin_1() -> None:
    with pytest.raises(UnicodeDecodeError):
        decode("unit,name,phone,role\nX,Hélène,0912000001,officer\n".encode("latin-1"))


@pytest.mark.parametrize(
    "header", ["unit,name,phone\n", "name,unit,phone,role\n", "unit;name;phone;role\n", "", "\n"]
)
def test_wrong_header(header: str) -> None:
    rows, problems = parse_staff(header + f"{UNIT},An,0912000001,officer\n")
    assert rows == []
    assert problems == [Problem(1, "import.bad_header", {"expected": "unit,name,phone,role"})]


def test_header_ignores_case_and_spaces() -> None:
    rows, problems = parse_staff(" Unit ,NAME,Phone, role\n" + f"{UNIT},An,0912000001,officer\n")
    assert problems == []
    assert len(rows) == 1


def test_each_bad_row_is_reported_with_its_line() -> None:
    body = (
        f"{UNIT},An,0912000001,officer\n"  # line 2: good
        f"{UNIT},Bình,0912000002\n"  # 3: three columns
        f"{UNIT},,0912000003,agent\n"  # 4: no name
        f"{UNIT},Cường,024 3823 1234,agent\n"  # 5: a landline
        f"{UNIT},Dũng,0912000005,boss\n"  # 6: no such role
        f"{UNIT},Em,+84 912 000 001,agent\n"  # 7: line 2's phone again
        f"{UNIT},Giang,0912000007,agent,extra\n"  # 8: five columns
    )
    assert staff_problems(body) == [
        Problem(3, "import.wrong_columns", {"expected": 4, "given": 3}),
        Problem(4, "import.empty_field", {"field": "name"}),
        Problem(5, "import.bad_phone", {"given": "024 3823 1234"}),
        Problem(6, "import.bad_role", {"given": "boss"}),
        Problem(7, "import.duplicate_phone", {"given": "0912000001", "first": 2}),
        Problem(8, "import.wrong_columns", {"expected": 4, "given": 5}),
    ]


def test_blank_lines_keep_line_numbers() -> None:
    body = f"{UNIT},An,0912000001,officer\n\n,,,\n{UNIT},Bình,0912000002,nobody\n\n\n"
    rows, problems = parse_staff(STAFF_HEADER + body)
    assert [row.line for row in rows] == [2]
    assert by_line(problems) == [Problem(5, "import.bad_role", {"given": "nobody"})]


@pytest.mark.parametrize("phone", ["+84 912 000 001", "84912000001", "0912000001", "912000001"])
def test_phone_forms_are_one_person(phone: str) -> None:
    rows, problems = parse_staff(STAFF_HEADER + f"{UNIT},An,{phone},officer\n")
    assert problems == []
    assert [row.phone for row in rows] == ["0912000001"]


def test_good_quota_file() -> None:
    text = (
        QUOTA_HEADER
        + "member,84912000001,tn,2026,120\n"
        + f"unit,{UNIT},YT,2026-q4,0\n"
        + "Member,+84 912 000 002,TN,2026-w48,7\n"
        + "\n"
        + f"UNIT,{UNIT},tn,2026-11, 35 \n"
    )
    rows, problems = parse_quotas(text, CODES)
    assert problems == []
    assert rows == [
        QuotaRow(2, TargetKind.MEMBER, "0912000001", "TN", "2026", 120),
        QuotaRow(3, TargetKind.UNIT, UNIT, "YT", "2026-Q4", 0),
        QuotaRow(4, TargetKind.MEMBER, "0912000002", "TN", "2026-W48", 7),
        QuotaRow(6, TargetKind.UNIT, UNIT, "TN", "2026-11", 35),
    ]


def test_bad_quota_rows() -> None:
    body = (
        "person,0912000001,TN,2026,10\n"  # line 2
        "member,0243823123,TN,2026,10\n"  # 3
        "member,0912000001,XX,2026,10\n"  # 4
        "member,0912000001,TN,2026-13,10\n"  # 5
        "\n"  # 6
        "member,0912000001,TN,2027-W53,10\n"  # 7
        "member,0912000001,TN,2026,-5\n"  # 8
        "member,0912000001,TN,2026,2.5\n"  # 9
        "member,0912000001,TN,2026,mười\n"  # 10
        f"unit,{UNIT},TN,2026\n"  # 11
        f"unit,{UNIT},TN,,4\n"  # 12
        "\n\n"
    )
    assert quota_problems(body) == [
        Problem(2, "import.bad_target_kind", {"given": "person"}),
        Problem(3, "import.bad_phone", {"given": "0243823123"}),
        Problem(4, "import.bad_program", {"given": "XX"}),
        Problem(5, "import.bad_period", {"given": "2026-13"}),
        Problem(7, "import.bad_period", {"given": "2027-W53"}),
        Problem(8, "import.bad_quota", {"given": "-5"}),
        Problem(9, "import.bad_quota", {"given": "2.5"}),
        Problem(10, "import.bad_quota", {"given": "mười"}),
        Problem(11, "import.wrong_columns", {"expected": 5, "given": 4}),
        Problem(12, "import.empty_field", {"field": "period"}),
    ]


def test_quota_header_checked() -> None:
    rows, problems = parse_quotas(STAFF_HEADER + "member,0912000001,TN,2026,10\n", CODES)
    assert rows == []
    assert problems == [
        Problem(1, "import.bad_header", {"expected": "target_kind,target,program,period,quota"})
    ]


def test_superscript_quota_is_reported() -> None:
    assert quota_problems("member,0912000001,TN,2026,²\n") == [
        Problem(2, "import.bad_quota", {"given": "²"})
    ]


@pytest.mark.parametrize(
    "raw",
    ["0912000001", "+84 912 000 001", "84912000001", "912000001", "091.200.0001",
     "(+84) 912-000-001", " 0912 000 001 "],
)  # fmt: skip
def test_normalise_phone(raw: str) -> None:
    assert normalise_phone(raw) == "0912000001"


@pytest.mark.parametrize("raw", ["0312345678", "0512345678", "0712345678", "0812345678"])
def test_every_mobile_prefix(raw: str) -> None:
    assert normalise_phone(raw) == raw


@pytest.mark.parametrize(
    "raw",
    ["024 3823 1234", "0243823123", "02438231234", "091200000", "09120000011", "09120000ab",
     "0612345678", "", "abc", "0084912000001", "+1 912 000 001", "849120000011"],
)  # fmt: skip
def test_invalid_phones(raw: str) -> None:
    with pytest.raises(InvalidPhone):
        normalise_phone(raw)
