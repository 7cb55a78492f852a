"""Participant details: parsing, keyed hashing, redaction (pure functions), and logging
them through the commands: the same participant twice is stored but not counted."""

from __future__ import annotations

import asyncio
import logging
from dataclasses import replace
from datetime import date
from pathlib import Path

import pytest

from commands.context import Services
from commands.grammar import tokens
from commands.notices import worded
from commands.registry import run_text
from storage.backends import open_repository
from storage.repository import StaffRow
from storage.store_base import StoreBase
from tests.conftest import POST_OFFICE
from tests.support.db import database_url
from tracker.errors import UserError
from tracker.models import Channel, Member, Role
from tracker.participants import (
    ParticipantDetails,
    hashed,
    key_fingerprint,
    participant_hash,
    split_details,
)
from tracker.text import RedactingFilter, redact

SECRET = "test-secret-không-dùng-thật"
CODE = "0123456789"
CCCD = "038096001234"


@pytest.mark.parametrize(
    ("text", "details", "rest"),
    [
        ("TN 1 ma=0123456789 ky=12", ParticipantDetails(CODE, 12, None), ["tn", "1"]),
        ("ky=6 TN 1 ma:0123456789 moi", ParticipantDetails(CODE, 6, False), ["tn", "1"]),
        ("tn 1 cccd=038096001234 tg lai", ParticipantDetails(CCCD, None, True), ["tn", "1"]),
        ("TN 1 0123456789 term=60 rejoin", ParticipantDetails(CODE, 60, True), ["tn", "1"]),
        ("1 YT 20/11 mã BHXH 0123456789", ParticipantDetails(CODE), ["1", "yt", "20/11"]),
        ("TN 3 kỳ 3 tháng tham gia lại", ParticipantDetails(None, 3, True), ["tn", "3"]),
        ("TN 2 20/11", None, ["tn", "2", "20/11"]),
    ],
)
def test_details_in_any_order(
    text: str, details: ParticipantDetails | None, rest: list[str]
) -> None:
    assert split_details(tokens(text)) == (details, rest)


@pytest.mark.parametrize(
    ("text", "key"),
    [
        ("TN 1 ma=012345678", "participants.bad_code"),  # 9 digits
        ("TN 1 01234567890", "participants.bad_code"),  # 11 bare digits
        ("TN 1 ma=", "participants.code_usage"),
        ("TN 1 ky=7", "participants.bad_term"),
        ("TN 1 ky=72", "participants.bad_term"),
        ("TN 1 ky", "participants.bad_term"),
    ],
)
def test_bad_details_are_refused_without_echoing_the_code(text: str, key: str) -> None:
    with pytest.raises(UserError) as raised:
        split_details(tokens(text))
    assert raised.value.key == key
    assert "012345678" not in str(raised.value.params)


def test_keyed_hash_and_last_digits() -> None:
    stored = hashed(ParticipantDetails(CODE, 12, False), SECRET)
    assert stored.last3 == "789"
    assert stored.hash == participant_hash(CODE, SECRET)
    assert len(stored.hash) == 64 and CODE not in stored.hash
    assert participant_hash(CODE, "another secret") != stored.hash
    assert key_fingerprint(SECRET) != stored.hash
    # no code: nothing to hash, no secret needed
    assert hashed(ParticipantDetails(None, 3, True), None).hash is None
    with pytest.raises(UserError) as raised:
        hashed(ParticipantDetails(CODE), None)
    assert raised.value.key == "participants.no_secret"


def test_redact_masks_long_digit_runs_only() -> None:
    assert redact("ghi TN 1 ma=0123456789 ky=12") == "ghi TN 1 ma=*******789 ky=12"
    assert redact(f"cccd {CCCD}, +84 912 000 001") == "cccd *********234, +********001"
    assert redact("2026-11-23 10:00 entry #123456") == "2026-11-23 10:00 entry #123456"


def test_redacting_filter_covers_message_and_traceback(caplog: pytest.LogCaptureFixture) -> None:
    logger = logging.getLogger("tests.redaction")
    logger.addFilter(RedactingFilter())
    try:
        with caplog.at_level(logging.DEBUG, logger="tests.redaction"):
            try:
                raise ValueError(f"bad {CODE}")
            except ValueError:
                logger.exception("text=%r", f"TN 1 ma={CODE}")
    finally:
        logger.filters.clear()
    assert CODE not in caplog.text
    assert "*******789" in caplog.text and "ValueError" in caplog.text


# Through the commands: two officers, two leads

POST_LEAD = StaffRow(6, POST_OFFICE, "Lê Thị Thu", "0913000002", Role.LEAD)


async def people(services: Services) -> dict[str, Member]:
    await services.repo.import_staff([POST_LEAD])
    found = {}
    for phone in ("0912000001", "0912000002", "0912000003", "0913000001", "0913000002"):
        member = await services.repo.member_by_phone(phone)
        assert member is not None
        found[phone] = member
    return found


async def totals(repo: StoreBase, member_id: int) -> list[tuple[str, int]]:
    rows = await repo._all(
        "SELECT period_key, achieved FROM entry_totals WHERE member_id = ? AND program = 'TN'"
        " ORDER BY period_key",
        (member_id,),
    )
    return [(key, achieved) for key, achieved in rows]


async def test_same_participant_by_two_officers_counts_once_and_both_leads_hear(
    services: Services,
) -> None:
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret(SECRET)
    staff = await people(services)
    lan, hoa = staff["0912000001"], staff["0912000003"]
    duc, thu = staff["0913000001"], staff["0913000002"]

    first = await run_text(services, lan, f"/ghi TN 1 ma={CODE} ky=12 moi", Channel.CONSOLE, "c1")
    assert first.text.splitlines()[:2] == [
        "✅ Đã ghi 1 người tham gia BHXH tự nguyện ngày 23/11/2026.",
        "Chi tiết: mã …789 · kỳ 12 tháng · tham gia mới.",
    ]
    assert first.direct_messages == []

    second = await run_text(services, hoa, f"TN 1 cccd {CODE}", Channel.CONSOLE, "c2")
    assert second.text.splitlines()[0] == (
        "⚠️ Người tham gia BHXH tự nguyện mã …789 đã được ghi trong năm 2026 (bản ghi #1, ngày"
        " 23/11/2026)."
        " Bản ghi #2 được lưu nhưng KHÔNG được tính; lãnh đạo đơn vị đã được báo."
    )
    assert "BHXH tự nguyện: 0/10" in second.text  # Hoa's month: nothing counted
    # Lan's lead (the office) and Hoa's (the post office): each once
    assert sorted(d.member_id for d in second.direct_messages) == [duc.id, thu.id]
    notice = worded(second.direct_messages[0], "vi")
    assert notice == (
        "⚠️ Trùng người tham gia BHXH tự nguyện mã …789 năm 2026: Vũ Thị Hoa ghi ngày 23/11/2026"
        " (bản ghi #2), nhưng Nguyễn Thị Lan đã ghi ngày 23/11/2026 (bản ghi #1)."
        " Bản ghi #2 được lưu và không được tính."
    )
    assert await repo._all(
        "SELECT id, state, state_reason, duplicate_of, participant_last3, term_months, rejoin"
        " FROM entries ORDER BY id"
    ) == [
        (1, "reported", None, None, "789", 12, 0),
        (2, "rejected", "duplicate", 1, "789", None, None),
    ]
    assert await totals(repo, lan.id) == [
        ("2026", 1),
        ("2026-11", 1),
        ("2026-Q4", 1),
        ("2026-W48", 1),
    ]
    assert await totals(repo, hoa.id) == []
    assert (await repo.period_achieved(hoa.id, "2026")) == {}

    # The same message again (a redelivery): same answer, nothing new, nobody told twice.
    again = await run_text(services, hoa, f"TN 1 cccd {CODE}", Channel.CONSOLE, "c2")
    assert again.text == second.text and again.direct_messages == []
    # A lead cannot confirm the duplicate; another participant still counts.
    confirm = await run_text(services, duc, "/duyet 2", Channel.CONSOLE, None)
    assert confirm.text.startswith("Bản ghi #2")
    other = await run_text(services, hoa, f"/ghi TN 1 ma={CCCD}", Channel.CONSOLE, None)
    assert other.text.startswith("✅ Đã ghi 1")
    assert await totals(repo, hoa.id) == [
        ("2026", 1),
        ("2026-11", 1),
        ("2026-Q4", 1),
        ("2026-W48", 1),
    ]


async def test_after_a_void_the_participant_counts_again_and_a_new_year_is_new(
    services: Services,
) -> None:
    repo = services.repo
    repo.use_participant_secret(SECRET)
    staff = await people(services)
    lan, nam = staff["0912000001"], staff["0912000002"]
    await run_text(services, lan, f"/ghi TN 1 ma={CODE}", Channel.CONSOLE, None)
    await run_text(services, lan, "/huy", Channel.CONSOLE, None)  # voided: no longer counts
    logged = await run_text(services, nam, f"/ghi TN 1 ma={CODE}", Channel.CONSOLE, None)
    assert logged.text.startswith("✅ Đã ghi 1 người")
    # another program is another enrollment
    health = await run_text(services, nam, f"/ghi YT 1 ma={CODE}", Channel.CONSOLE, None)
    assert health.text.startswith("✅ Đã ghi 1 người tham gia BHYT hộ gia đình")
    assert await repo.achieved(nam.id, date(2026, 1, 1), date(2026, 12, 31)) == {"TN": 1, "YT": 1}


async def test_simultaneous_logs_of_one_participant_count_once(
    services: Services, tmp_path: Path
) -> None:
    """Three officers at once, two of them through a second connection to the same file
    (as a second process would be): the check and the insert are one transaction."""
    services.repo.use_participant_secret(SECRET)
    staff = await people(services)
    officers = [staff["0912000001"], staff["0912000002"], staff["0912000003"]]
    other = await open_repository(database_url(tmp_path))
    other.use_participant_secret(SECRET)
    try:
        elsewhere = replace(services, repo=other)
        replies = await asyncio.gather(
            *(
                run_text(services if n == 0 else elsewhere, who, f"/ghi TN 1 ma={CCCD}",
                         Channel.CONSOLE, f"k{n}")
                for n, who in enumerate(officers)
            )
        )  # fmt: skip
    finally:
        await other.close()
    assert sum(reply.text.startswith("✅") for reply in replies) == 1
    total = 0
    for who in officers:
        total += sum((await services.repo.period_achieved(who.id, "2026")).values())
    assert total == 1


async def test_refusals(services: Services) -> None:
    staff = await people(services)
    lan = staff["0912000001"]
    no_secret = await run_text(services, lan, f"/ghi TN 1 ma={CODE}", Channel.CONSOLE, None)
    assert no_secret.text.startswith("Chưa thể ghi mã người tham gia: máy chủ chưa cấu hình")
    # without a code, a term needs no secret
    term_only = await run_text(services, lan, "/ghi TN 2 ky=12", Channel.CONSOLE, None)
    assert term_only.text.splitlines()[1] == "Chi tiết: kỳ 12 tháng."
    services.repo.use_participant_secret(SECRET)
    two = await run_text(services, lan, f"/ghi TN 2 ma={CODE}", Channel.CONSOLE, None)
    assert two.text == "Mã người tham gia chỉ ghi được cho từng người: /ghi TN 1 ma=…"
    bad = await run_text(services, lan, "/ghi TN 1 ma=12345678901", Channel.CONSOLE, None)
    assert bad.text.startswith("Mã người tham gia phải có 10 chữ số")
    assert "12345678901" not in bad.text
    sms = await run_text(services, lan, "TN 1 ky 7", Channel.SMS, None)
    assert sms.text == 'Phuong thuc dong "7" khong hop le: chon 1, 3, 6, 12, 24, 36, 48, 60 thang.'
    await run_text(services, lan, f"/ghi TN 1 ma={CODE}", Channel.CONSOLE, None)
    services.repo.use_participant_secret("a different secret")
    changed = await run_text(services, lan, f"/ghi TN 1 ma={CCCD}", Channel.CONSOLE, None)
    assert changed.text.startswith("Chưa thể ghi mã người tham gia: khóa bảo mật")
    entries = await services.repo._all("SELECT count, term_months FROM entries ORDER BY id")
    assert entries == [(2, 12), (1, None)]
