"""Issue 11: fuzzing `run_text` for every role and channel: never the apology, and a
refused line changes nothing (the database dump, board cache aside, is the same).

CI runs a few thousand examples in all; `HYPOTHESIS_PROFILE=nightly` runs more than
100,000 (see tests/support/fuzz.py). Strangers (no linked member) never reach
`run_text`: each channel answers them itself; the SMS one is fuzzed here too.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from pathlib import Path

import pytest
from hypothesis import HealthCheck, event, given, settings

from channels.sms import InboundSms, answer_sms
from commands.context import Services
from commands.registry import run_text
from storage.repository import StaffRow
from tests.support.dump import CONVERSATION_TABLES, Watcher
from tests.support.fuzz import examples, lines
from tracker.models import Channel, Member, Role

# The watcher dumps SQLite's file and rechecks only when `PRAGMA data_version` moves;
# what is fuzzed here is the parsing and the refusals above storage, which both backends
# share, so one backend is enough (storage's own suites run on both).
pytestmark = pytest.mark.parametrize("backend", ["sqlite"])

SAM_SON = "BHXH tỉnh Thanh Hóa / BHXH cơ sở Sầm Sơn"
EXTRA = [
    StaffRow(6, f"{SAM_SON} / Phường Sầm Sơn", "Đỗ Thị Mai", "0914000002", Role.OFFICER),
    StaffRow(7, "BHXH tỉnh Thanh Hóa", "Hoàng Quốc Việt", "0915000001", Role.ADMIN),
]
PHONE_OF = {
    Role.OFFICER: "0912000001",
    Role.AGENT: "0912000003",
    Role.LEAD: "0913000001",
    Role.ADMIN: "0915000001",
}
APOLOGIES = {
    "Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.",
    "Xin loi, da co loi xay ra. Vui long thu lai sau it phut.",
    "Sorry, something went wrong. Please try again in a few minutes.",
}
CHANNELS = [Channel.TELEGRAM, Channel.SMS, Channel.CONSOLE]
FUZZ = settings(
    max_examples=examples(ci=150, nightly=8_000),
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)


@pytest.fixture
async def org(services: Services) -> Services:
    await services.repo.import_staff(EXTRA)
    return services


class Failures(logging.Handler):
    """Every record `run_text` logs when a command raised."""

    def __init__(self) -> None:
        super().__init__(logging.ERROR)
        self.records: list[logging.LogRecord] = []

    def emit(self, record: logging.LogRecord) -> None:
        self.records.append(record)


@pytest.fixture
def watcher(org: Services, tmp_path: Path) -> Iterator[Watcher]:
    watching = Watcher(tmp_path / "quota.db", CONVERSATION_TABLES)
    yield watching
    watching.close()


@pytest.fixture
def failures() -> Iterator[Failures]:
    handler = Failures()
    logger = logging.getLogger("commands.registry")
    logger.addHandler(handler)
    yield handler
    logger.removeHandler(handler)


async def check_line(
    services: Services, db: Watcher, member: Member, channel: Channel, text: str, failures: Failures
) -> None:
    before = db.dump()
    failures.records.clear()
    reply = await run_text(services, member, text, channel, None)
    logged = [record.exc_text or record.getMessage() for record in failures.records]
    assert reply.text not in APOLOGIES and not logged, (text, logged)
    if reply.refused:
        event("refused")
        assert db.dump() == before, text
    else:
        event("answered")


@pytest.mark.parametrize("channel", CHANNELS, ids=str)
@pytest.mark.parametrize("role", list(Role), ids=str)
@FUZZ
@given(text=lines())
async def test_any_line_from_any_member_is_answered_and_a_refusal_changes_nothing(
    org: Services, watcher: Watcher, failures: Failures, role: Role, channel: Channel, text: str
) -> None:
    member = await org.repo.member_by_phone(PHONE_OF[role])
    assert member is not None and member.role is role
    await check_line(org, watcher, member, channel, text, failures)


@FUZZ
@given(text=lines())
async def test_any_sms_from_a_stranger_gets_at_most_one_refusal_and_changes_nothing_else(
    org: Services, watcher: Watcher, text: str
) -> None:
    before = [line for line in watcher.dump() if not line.startswith("sms_refusals")]
    reply = await answer_sms(org, InboundSms("84987000111", text), hash_key="k")
    assert reply in (
        "",
        "So nay chua co trong danh sach can bo, dai ly thu BHXH. Vui long lien he lanh dao don vi.",
    )
    assert [line for line in watcher.dump() if not line.startswith("sms_refusals")] == before
