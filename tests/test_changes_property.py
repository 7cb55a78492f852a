"""For any line, either the reply says exactly what changed, or nothing changed (issue 12).

Lines are built from the words people type (commands with and without the slash, program
codes and aliases, counts, `1.000`, phones, period and day words, yes/no answers) and
sent by an officer and a lead on two channels, one after another on the same database,
so questions asked by one line are answered by later ones. After each line the entries
and quotas are read from the file and every change is looked for in the reply.
"""

from __future__ import annotations

from pathlib import Path

from hypothesis import HealthCheck, event, given, settings
from hypothesis import strategies as st

from commands.context import Services
from commands.registry import run_text
from commands.render import period_label
from locales import Translator
from tests.support.db import rows
from tracker.models import Channel
from tracker.periods import parse_period

SPEAKERS = ("0912000001", "0913000001")  # Lan (officer), Đức (her lead)
HEADS = (
    "/ghi", "ghi", "Ghi", "/huy", "huy", "/chitieu", "/quota", "/duyet", "/tuchoi", "/tiendo",
    "TD", "co", "CO", "y", "n", "khong", "/xacnhan", "/boqua", "TN", "YT", "BHXH", "2 TN", "",
)  # fmt: skip
WORDS = (
    "TN", "tn", "YT", "BHXH", "BHYT", "1", "2", "3", "12", "15", "120", "1.000", "2000000",
    "0912000001", "0912000002", "buu dien", "tháng 12", "thang 10", "T10", "quý IV",
    "năm ngoái", "tháng trước", "tháng sau", "tuần này", "2026", "2026-11", "hôm qua",
    "hôm kia", "thứ 2", "20/11", "người", "chia thang", "chia quy mua", "tatca", "trang 2",
    "sai ngày", "x",
)  # fmt: skip


def pick(*choices: str) -> st.SearchStrategy[str]:
    return st.sampled_from(choices)


def joined(*parts: st.SearchStrategy[str]) -> st.SearchStrategy[str]:
    return st.tuples(*parts).map(lambda words: " ".join(w for w in words if w))


any_words = st.builds(
    lambda head, words: " ".join([head, *words]).strip(),
    st.sampled_from(HEADS),
    st.lists(st.sampled_from(WORDS), max_size=5),
)
logs = joined(
    pick("/ghi", "ghi", "Ghi", ""),
    pick("TN", "YT", "BHXH", "BHYT", "tn"),
    pick("1", "2", "3", "12", "60", "0"),
    pick("", "người", "hôm qua", "hôm kia", "thứ 2", "chủ nhật", "20/11", "1/1"),
)
quotas = joined(
    pick("/chitieu", "/quota"),
    pick("0912000001", "0912000002", "buu dien", "0987654321"),
    pick("TN", "YT", "BHXH"),
    pick("2026", "tháng 12", "thang 10", "T10", "quý IV", "năm ngoái", "tháng trước", "tháng sau"),
    pick("", "15", "120", "1.000", "400", "2000000", "12.5"),
    pick("", "", "chia thang", "chia quy mua"),
)
reviews = joined(
    pick("/duyet", "/tuchoi", "/approve"), pick("", "1", "2", "3", "tatca", "0912000001"),
    pick("", "sai ngày"),
)  # fmt: skip
answers = pick("y", "n", "co", "CO", "khong", "/xacnhan", "/boqua", "1", "2", "/huy", "huy")
lines = st.one_of(any_words, logs, quotas, reviews, answers)


def snapshot(db: Path) -> tuple[dict[int, tuple[object, ...]], dict[tuple[object, ...], int]]:
    """Entries and quotas of the test's database (`db` names its folder's SQLite file)."""
    entries = {
        row[0]: row[1:]
        for row in rows(db.parent, "SELECT id, program, day, count, state FROM entries")
    }
    quotas = {
        row[:4]: row[4]
        for row in rows(
            db.parent, "SELECT target_kind, target_id, program, period_key, value FROM quotas"
        )
    }
    return entries, quotas


def day_text(iso: object) -> str:
    year, month, day = str(iso).split("-")
    return f"{day}/{month}/{year}"


NAMES = {"TN": "BHXH tự nguyện", "YT": "BHYT hộ gia đình"}


def said(reply: str, before: tuple, after: tuple) -> list[str]:  # type: ignore[type-arg]
    """Every change between the snapshots that the reply does not mention."""
    missing = []
    entries_before, quotas_before = before
    entries_after, quotas_after = after
    for entry_id, (code, day, count, state) in entries_after.items():
        program = NAMES[code]  # a confirmation names the program in full
        old = entries_before.get(entry_id)
        if old is None:
            logged = f"Đã ghi {count} người tham gia {program} ngày {day_text(day)}"
            duplicate = f"Bản ghi #{entry_id} được lưu nhưng KHÔNG được tính"
            if logged not in reply and duplicate not in reply:
                missing.append(f"new entry #{entry_id}")
            continue
        if old[3] == state:
            continue
        expected = {
            "voided": f"Đã hủy bản ghi {count} người tham gia {program} ngày {day_text(day)}",
            "confirmed": f"xác nhận bản ghi #{entry_id}",
            "rejected": f"Đã từ chối bản ghi #{entry_id}",
        }[str(state)]
        if expected not in reply:
            missing.append(f"entry #{entry_id} {old[3]} -> {state}")
    for key in quotas_before.keys() | quotas_after.keys():
        old_value, new_value = quotas_before.get(key), quotas_after.get(key)
        # The period as the reply names it (`tháng 12/2026`), or its key in a split's lines.
        named = period_label(Translator(), parse_period(str(key[3])))
        mentioned = reply.startswith("✅ Chỉ tiêu") and (named in reply or str(key[3]) in reply)
        if old_value != new_value and not mentioned:
            missing.append(f"quota {key}: {old_value} -> {new_value}")
    return missing


@settings(
    max_examples=150,
    deadline=None,
    suppress_health_check=[HealthCheck.function_scoped_fixture, HealthCheck.too_slow],
)
@given(
    line=lines,
    speaker=st.sampled_from(SPEAKERS),
    channel=st.sampled_from([Channel.CONSOLE, Channel.TELEGRAM]),
)
async def test_a_reply_says_what_changed_or_nothing_changed(
    services: Services, tmp_path: Path, line: str, speaker: str, channel: Channel
) -> None:
    db = tmp_path / "quota.db"
    member = await services.repo.member_by_phone(speaker)
    assert member is not None
    before = snapshot(db)
    reply = await run_text(services, member, line, channel, None)
    after = snapshot(db)
    assert said(reply.text, before, after) == [], (line, reply.text)
    event("changed" if before != after else "unchanged")
    assert reply.text != "Xin lỗi, đã có lỗi xảy ra. Vui lòng thử lại sau ít phút.", line


def test_a_change_the_reply_does_not_mention_is_caught() -> None:
    before: tuple = ({1: ("TN", "2026-11-23", 2, "reported")}, {("member", 1, "TN", "2026"): 120})  # type: ignore[type-arg]
    after: tuple = ({1: ("TN", "2026-11-23", 2, "voided")}, {("member", 1, "TN", "2026"): 130})  # type: ignore[type-arg]
    assert said("✅ Đã ghi 2 người tham gia BHXH tự nguyện ngày 23/11/2026.", before, after) == [
        "entry #1 reported -> voided",
        "quota ('member', 1, 'TN', '2026'): 120 -> 130",
    ]
    reply = (
        "↩️ Đã hủy bản ghi 2 người tham gia BHXH tự nguyện ngày 23/11/2026.\n✅ Chỉ tiêu BHXH"
        " tự nguyện 2026"
    )
    assert said(reply, before, after) == ["quota ('member', 1, 'TN', '2026'): 120 -> 130"]
