"""No Vietnamese in English, anywhere a user can read it (issue 12).

The sweep walks the registry's commands (every command must have lines here, so a new one
is swept too), as an English-speaking officer and lead, on Telegram, Zalo and SMS, and
reads every reply, every file (.xlsx sheet names and cells, .csv, file names), every
chart's words, the reminders and the summaries. Names of people and units are data, not
wording, and are taken out first; so is what the user typed. Counts meet nouns in the
right number ("1 month", "2 months").
"""

from __future__ import annotations

import ast
import csv
import dataclasses
import io
import re
from collections.abc import Iterator
from datetime import date, timedelta
from pathlib import Path

import pytest
from openpyxl import load_workbook

from commands.context import Reply, Services
from commands.registry import COMMANDS, SHORTHAND, run_text
from commands.summary_data import build_summary, progress_chart
from leaderboards.chart_data import ProgressChart, TrendChart
from locales import Translator, catalogue
from scheduling.due_reminders import due_reminder_text
from scheduling.reminders import reminder_text
from storage.store_base import StoreBase
from tests.conftest import NOW, STAFF
from tests.test_due_reminder import SECRET, participant
from tracker.models import Channel, Member
from tracker.periods import parse_period
from tracker.text import ascii_letters

LAN, NAM, LEAD = "0912000001", "0912000002", "0913000001"

VIETNAMESE_LETTERS = re.compile(
    r"[àáảãạăằắẳẵặâầấẩẫậđèéẻẽẹêềếểễệìíỉĩịòóỏõọôồốổỗộơờớởỡợùúủũụưừứửữựỳýỷỹỵ]", re.IGNORECASE
)
# Vietnamese as SMS writes it, without its marks: words no English sentence uses.
VIETNAMESE_WORDS = re.compile(
    r"\b(nguoi|thang|khong|duoc|chua|cua ban|tham gia|ghi ket qua|ban ghi|chi tieu|tien do"
    r"|don vi|lanh dao|xac nhan|da ghi|nhac|hay go|tong hop|ket qua|ke hoach|loai hinh"
    r"|nhom|huy|ngay|tuan|quy|nam nay|so dien thoai)\b",
    re.IGNORECASE,
)
NOUNS = "person|participant|month|entry|day|week|member|quota|time|code|link|screen|program"
KEYWORDS = re.compile(r"\b(" + "|".join(k.upper() for k in SHORTHAND if len(k) <= 3) + r")\b")
"""SMS keywords (`TD`, `BXH`): command words, typed as they are in any language."""
COMMAND_WORDS = re.compile(
    r"/("
    + "|".join(sorted({w for c in COMMANDS for w in (c.name, c.alias)}, key=len)[::-1])
    + r")\b"
)
"""`/huy` beside `/undo` in the help: a command works in either language."""
ONE_WITH_PLURAL = re.compile(rf"(?<![\d.,/#-])\b1 ({NOUNS.replace('|', 's|')}s|people|entries)\b")
MANY_WITH_SINGULAR = re.compile(rf"(?<![\d.,/#-])\b(0|[2-9]|[1-9]\d+) ({NOUNS})\b(?!-)")

# Every command, with what an English speaker types after it.
LINES: dict[str, list[str]] = {
    "ghi": ["", "TN", "TN 1", "TN 2", "YT 1 yesterday", "TN 1 ma=0123456789 ky=12", "TN abc"],
    "kyhan": ["", "2 6", "2 1", "999 6"],
    "huy": ["", ""],
    "giahan": ["", "TN 0123456789 12", "TN 012345678 12"],
    "denhan": [""],
    "tiendo": ["", "week", "quarter", "year", "last month", "T13"],
    "bxh": ["", "week", "quarter", "year"],
    "donvi": ["", "year"],
    "thidua": ["", "2026"],
    "huyhieu": [""],
    "bieudo": ["", "week", "year"],
    "nhom": [""],
    "sangkien": ["", f"{LAN} better process"],
    "chitieu": [
        "", f"{NAM} TN 2026 130", f"{NAM} TN last month 15", f"{NAM} TN 2026 1,000",
        f"{NAM} TN 2026 100000000", f"{NAM} TN 12",
    ],
    "duyet": ["", "page 2", LAN, "all", "1", "3"],
    "tuchoi": ["", "2 wrong day"],
    "xuat": ["", "quarter", "year"],
    "nhatky": [""],
    "hoso": ["", LAN, "0999999999"],
    "tonghop": ["", "week"],
    "malienket": ["", LAN],
    "huyzalo": ["", NAM],
    "tv": ["", "off"],
    "ngonngu": ["en", "xx"],
    "trogiup": [""],
    "start": [""],
    "xacnhan": [""],
    "boqua": [""],
}  # fmt: skip
ASKING = {"chitieu", "duyet"}
"""Commands that may ask a question: each of their lines is followed by a yes, then a no."""


def test_every_command_is_swept() -> None:
    assert sorted(LINES) == sorted(command.name for command in COMMANDS)


def data_words() -> list[str]:
    """Names of people and units (and their SMS spelling): data, not wording."""
    names = {row.name for row in STAFF}
    for row in STAFF:
        names.update(row.unit_path.split(" / "))
    names.update(ascii_letters(name) for name in list(names))
    return sorted(names, key=len, reverse=True)


def wording(text: str, typed: str) -> str:
    """`text` without the data in it and without what the user typed."""
    for name in data_words():
        text = text.replace(name, " ")
    for word in typed.split():
        if len(word) > 2:
            text = text.replace(word, " ")
    return text


def problems(text: str, typed: str = "") -> list[str]:
    words = COMMAND_WORDS.sub(" ", KEYWORDS.sub(" ", wording(text, typed)))
    found = [f"Vietnamese {m.group(0)!r}" for m in VIETNAMESE_LETTERS.finditer(words)]
    found += [f"Vietnamese {m.group(0)!r}" for m in VIETNAMESE_WORDS.finditer(words)]
    found += [f"plural {m.group(0)!r}" for m in ONE_WITH_PLURAL.finditer(words)]
    found += [f"plural {m.group(0)!r}" for m in MANY_WITH_SINGULAR.finditer(words)]
    return found


def file_texts(reply: Reply) -> Iterator[tuple[str, str]]:
    """(where, text) of every word in the reply's files."""
    for attachment in reply.attachments:
        yield "file name", attachment.filename
        if attachment.filename.endswith(".xlsx"):
            book = load_workbook(io.BytesIO(attachment.content), read_only=True)
            for sheet in book.worksheets:
                yield "sheet", sheet.title
                for row in sheet.iter_rows(values_only=True):
                    for value in row:
                        if isinstance(value, str):
                            yield f"cell of {sheet.title}", value
        elif attachment.filename.endswith(".csv"):
            for row in csv.reader(io.StringIO(attachment.content.decode("utf-8-sig"))):
                for value in row:
                    yield "csv cell", value


def chart_texts(chart: object) -> Iterator[str]:
    """Every string a chart draws (its dataclass fields, all the way down)."""
    if isinstance(chart, str):
        yield chart
    elif dataclasses.is_dataclass(chart) and not isinstance(chart, type):
        for item in dataclasses.fields(chart):
            yield from chart_texts(getattr(chart, item.name))
    elif isinstance(chart, list | tuple):
        for item in chart:
            yield from chart_texts(item)


async def english(services: Services, phone: str) -> Member:
    member = await services.repo.member_by_phone(phone)
    assert member is not None
    await services.repo.set_language(member.id, "en")
    return await services.repo.member(member.id)


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_every_reply_file_and_chart_in_english_is_english(services: Services) -> None:
    lan, lead = await english(services, LAN), await english(services, LEAD)
    await english(services, NAM)
    await services.repo.link_telegram(lan.id, 5001)
    found: list[str] = []
    seen: set[str] = set()
    number = 0
    for channel in (Channel.TELEGRAM, Channel.ZALO, Channel.SMS):
        for member in (lan, lead):
            for name, lines in LINES.items():
                alias = next(c.alias for c in COMMANDS if c.name == name)
                for args in lines:
                    typed = f"/{alias} {args}".strip()
                    follow = ["y", "n"] if name in ASKING else []
                    for text in [typed, *follow]:
                        number += 1
                        reply = await run_text(services, member, text, channel, f"s:{number}")
                        where = f"{channel.value} {member.role.value} {text!r}"
                        found += [f"{where}: {p}" for p in problems(reply.text, typed)]
                        seen.update(a.filename.rsplit(".", 1)[-1] for a in reply.attachments)
                        seen.update(["question"] if reply.buttons else [])
                        for place, value in file_texts(reply):
                            found += [f"{where} {place}: {p}" for p in problems(value, typed)]
                        for button in (b for row in reply.buttons for b in row):
                            found += [f"{where} button: {p}" for p in problems(button.label)]
    assert found == [], "\n".join(found)
    assert seen == {"xlsx", "csv", "png", "question"}  # it read files, charts and questions


@pytest.mark.parametrize("backend", ["sqlite"])
async def test_reminders_summaries_and_charts_in_english_are_english(
    services: Services,
) -> None:
    repo = services.repo
    assert isinstance(repo, StoreBase)
    repo.use_participant_secret(SECRET)
    lan, lead = await english(services, LAN), await english(services, LEAD)
    await participant(repo, lan, "0123456001", date(2026, 11, 5))  # falls due 05/12
    month, today = parse_period("2026-11"), NOW.date()
    texts: list[str] = []
    for plain in (False, True):
        reminder = await reminder_text(repo, services.rules, lan, month, today, sms=plain)
        due = await due_reminder_text(repo, lan, today + timedelta(days=7), sms=plain)
        assert reminder is not None and due is not None
        texts += [reminder, due]
        unit = await repo.unit(lead.unit_id)
        for period in (month, parse_period("2026-W47"), parse_period("2026-Q4")):
            text, trend = await build_summary(
                repo, services.rules, unit, period, today, so_far=True,
                t=Translator("en", plain=plain),
            )  # fmt: skip
            texts.append(text)
            assert isinstance(trend, TrendChart)
            texts += list(chart_texts(trend))
    for viewer in (lan, lead):
        unit = await repo.unit(viewer.unit_id)
        chart = await progress_chart(
            repo, services.rules, Translator("en"), unit, month, today,
            viewer=viewer.id, in_group=False,
        )  # fmt: skip
        assert isinstance(chart, ProgressChart)
        texts += list(chart_texts(chart))
    assert [(text, problems(text)) for text in texts if problems(text)] == []


def test_english_catalogue_words_are_english() -> None:
    """Every English message, the SMS ones included (folded, they would hide accents)."""
    official = re.compile(r"\((Lao động|Chiến sĩ|Tập thể)[^)]*\)")  # titles as BHXH writes them
    found = {}
    for key, message in catalogue("en").items():
        for text in message.values() if isinstance(message, dict) else [message]:
            left = problems(official.sub("", str(text)).replace("BHXH tỉnh Thanh Hóa", ""))
            if left:
                found[key] = left
    assert found == {}, "\n".join(f"{k}: {v}" for k, v in found.items())


def test_english_counts_are_plural_tables() -> None:
    """A count before a noun in English is a { one, other } table, never one fixed form."""
    fixed = {
        key: text
        for key, text in catalogue("en").items()
        if isinstance(text, str)
        and re.search(rf"\{{(n|count)\}} ([a-z]+ )?({NOUNS}|people)s?\b", text)
    }
    assert fixed == {}, "\n".join(f"{k}: {v}" for k, v in fixed.items())


def test_the_sweep_sees_vietnamese_and_bad_plurals() -> None:
    assert problems("Đã ghi 1 người") == ["Vietnamese 'Đ'", "Vietnamese 'ã'", "Vietnamese 'ư'",
                                          "Vietnamese 'ờ'"]  # fmt: skip
    assert problems("Da ghi 2 nguoi") == ["Vietnamese 'Da ghi'", "Vietnamese 'nguoi'"]
    assert problems("1 months") == ["plural '1 months'"]
    assert problems("3 month") == ["plural '3 month'"]
    assert problems("Nguyễn Thị Lan: 1 month, 2 months") == []


def test_no_vietnamese_sentence_lives_in_the_code() -> None:
    """What a user reads comes from the catalogues, so the sweeps above see all of it: no
    string in the application's code is Vietnamese, apart from letters folded for sorting
    and SMS, and the demo's own people and units (data)."""
    root = Path(__file__).resolve().parent.parent
    found = []
    for package in ("channels", "commands", "scheduling", "leaderboards", "tracker", "storage",
                    "admin", "bot.py", "settings.py"):  # fmt: skip
        for path in (
            sorted((root / package).rglob("*.py")) if "." not in package else [root / package]
        ):
            if path.name == "demo.py":
                continue  # the demo organisation: names of people and units
            tree = ast.parse(path.read_text(encoding="utf-8"))
            notes = {  # docstrings and attribute notes: a string standing alone
                id(node.value) for node in ast.walk(tree) if isinstance(node, ast.Expr)
            }
            found += [
                f"{path.relative_to(root)}:{node.lineno} {node.value[:40]!r}"
                for node in ast.walk(tree)
                if isinstance(node, ast.Constant)
                and isinstance(node.value, str)
                and id(node) not in notes
                and len(node.value) > 1
                and VIETNAMESE_LETTERS.search(node.value)
            ]
    assert found == []
