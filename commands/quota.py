"""`/chitieu <phone|unit> <program> <period> <n> [chia thang|quy [mua]]` (`/quota`).

A lead sets or changes a quota inside their subtree (an admin anywhere). A yearly quota
can be split in one go into quarters or months, evenly or by the seasonal profile of
`config/seasonal.toml`; weeks keep deriving from the months. Finer quotas inside a split
period that the split would contradict are removed (`commands/quota_split.py`). Every
change is audited.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from commands.audit import managed_member, scope_of
from commands.choice import ask_to_confirm, offer
from commands.context import Reply, Request
from commands.grammar import as_typed, parse_number, parse_program, period_at, tokens
from commands.quota_split import parse_split, plan_quotas, seasonal_weights, split_lines
from commands.render import period_label, program_name
from commands.total_plan import asks_for_total, set_total_plan
from locales import Translator
from storage.leads_repository import QuotaTarget
from tracker.errors import UserError
from tracker.models import Member, Program, TargetKind
from tracker.periods import Period, PeriodKind
from tracker.text import shown

_PERIOD_KEY = re.compile(r"^\d{4}(?:-(?:w\d{1,2}|q[1-4]|\d{1,2}))?$")


async def quota(request: Request, args: list[str], member: Member) -> Reply:
    """Set a quota of a member (by phone) or unit (by name) in the caller's scope.

    A change that touches a past period, multiplies a quota by more than 3 or splits a
    whole year is shown first and saved only once the lead confirms it.
    """
    shown_before, args = _shown_before(args)
    at = _program_at(args, request.rules.program_codes, request.rules.aliases)
    if at is None or at == 0 or (len(args) < at + 3 and not _reads_two_ways(args, at, request)):
        raise UserError("leads.quota_usage")
    program = parse_program(args[at], request.rules)
    phrase = period_at(args, at + 1, request.today)
    if phrase is None:
        raise UserError("error.bad_period", given=args[at + 1])
    period, rest = phrase.period, args[at + 1 + phrase.length :]
    if not rest:
        if phrase.word_alone is None:
            raise UserError("leads.quota_usage")
        return await _ask_which_period(request, args, at, program.code, phrase.word_alone, period)
    total = _quota_value(rest[0], program, request.t)
    if asks_for_total(rest[1:]):
        target = await _target(request, member, args[:at])
        return await set_total_plan(request, member, target, program, period, total, rest[1:])
    split, seasonal = parse_split(rest[1:])
    target = await _target(request, member, args[:at])
    books = await request.repo.quota_books(target.kind, target.id)
    existing = books.get(program.code, {})
    plan = plan_quotas(
        period, total, split, seasonal_weights() if seasonal else None, existing.keys()
    )
    t = request.t
    warnings = _why_confirm(t, period, existing.get(period.key), total, split, request)
    # Confirmed, but the quota changed since the question: what was shown is not what
    # would happen, so ask again with the new "before".
    moved = shown_before is not None and shown_before != _before_word(existing.get(period.key))
    if warnings and (not request.confirmed or moved):
        before_word = _before_word(existing.get(period.key))
        words = [*args[:at], program.code, period.key, str(total), *rest[1:]]
        line = " ".join([*words, _BEFORE_WORD, before_word])
        preview = t(
            "leads.quota_preview",
            target=target.label,
            program=program_name(t, program),
            period=period_label(t, period),
            before=_shown(t, existing.get(period.key)),
            after=t.number(total),
        )
        details = split_lines(t, plan, split, seasonal, existing)
        return await ask_to_confirm(
            request, f"/chitieu {line}", "\n".join([preview, *details, *warnings])
        )
    before = await request.repo.change_quotas(target, program.code, plan, member.id, request.now)
    lines = [
        t(
            "leads.quota_set",
            target=target.label,
            program=program_name(t, program),
            period=period_label(t, period),
            before=_shown(t, before.get(period.key)),
            after=t.number(total),
        ),
        *split_lines(t, plan, split, seasonal, before),
    ]
    return Reply("\n".join(lines))


_BEFORE_WORD = "truocla"
"""`… truocla 120` ends a question's stored command: the quota the lead was shown."""


def _before_word(value: int | None) -> str:
    return "rong" if value is None else str(value)


def _shown_before(args: list[str]) -> tuple[str | None, list[str]]:
    """The `truocla <n|rong>` a confirmation carries, and the other words."""
    if len(args) >= 2 and args[-2] == _BEFORE_WORD:
        return args[-1], args[:-2]
    return None, args


JUMP_FACTOR = 3
"""A new quota more than this many times the old one is asked about first."""


def _why_confirm(
    t: Translator,
    period: Period,
    before: int | None,
    total: int,
    split: PeriodKind | None,
    request: Request,
) -> list[str]:
    """The reasons to ask before saving; none for an everyday change."""
    warnings = []
    if period.last < request.today:
        warnings.append(t("leads.confirm_past", period=period_label(t, period)))
    if before is not None and before > 0 and total > JUMP_FACTOR * before:
        warnings.append(t("leads.confirm_jump"))
    if split is not None and period.kind is PeriodKind.YEAR:
        warnings.append(t("leads.confirm_split"))
    return warnings


def _reads_two_ways(args: list[str], at: int | None, request: Request) -> bool:
    """`… TN tháng 12`: a period word and a number, nothing after (asked, not refused)."""
    if at is None or len(args) != at + 3:
        return False
    phrase = period_at(args, at + 1, request.today)
    return phrase is not None and phrase.word_alone is not None


async def _ask_which_period(
    request: Request, args: list[str], at: int, code: str, alone: Period, numbered: Period
) -> Reply:
    """`tháng 12` alone: December (then the quota is missing), or this month's quota 12?"""
    t = request.t
    target = " ".join(args[:at])
    number = args[at + 2]
    question = t(
        "leads.period_two_ways",
        given=as_typed(request.raw_args, " ".join(args[at + 1 : at + 3])),
        period=period_label(t, numbered),
        target=target,
        code=code,
        period_key=numbered.key,
        alone=period_label(t, alone),
        n=number,
    )
    return await offer(
        request, [f"/chitieu {target} {code} {alone.key} {number}"], question, confirms=False
    )


def _shown(t: Translator, value: int | None) -> str:
    return "—" if value is None else t.number(value)


def _program_at(
    args: list[str], program_codes: Iterable[str], aliases: Iterable[str] = ()
) -> int | None:
    """Where the program is: a known code (`TN`), else an alias (`BHXH`, which also starts
    unit names), else the word before a period key (so `/chitieu 0912000001 XX 2026 10`
    is told XX is unknown, not shown the usage)."""
    for words in (program_codes, aliases):
        known = {word.lower() for word in words}
        found = next((i for i, word in enumerate(args) if word in known and i > 0), None)
        if found is not None:
            return found
    return next(
        (
            i - 1
            for i, word in enumerate(args)
            if i >= 2 and _PERIOD_KEY.match(word) and args[i - 1].isalpha()
        ),
        None,
    )


def _quota_value(token: str, program: Program, t: Translator) -> int:
    """`120` or `1.000`, at most the program's upper bound (`config/rules.toml`)."""
    value = parse_number(token)
    if value is None:
        raise UserError("leads.bad_quota", given=shown(token), max=program.max_quota)
    if value > program.max_quota:
        named = program_name(t, program)
        raise UserError("leads.quota_too_big", given=value, program=named, max=program.max_quota)
    return value


async def _target(request: Request, member: Member, words: list[str]) -> QuotaTarget:
    """The member (all digits: a phone) or unit (a name fragment) the caller may manage."""
    scope = scope_of(member)
    repo = request.repo
    if all(word.isdigit() for word in words):
        found = await managed_member(request, member, "".join(words))
        label = f"{found.name} ({found.phone})"
        return QuotaTarget(TargetKind.MEMBER, found.id, found.unit_id, label)
    wanted = " ".join(words)
    matches = [u for u in await repo.units_in_scope(None) if wanted in " ".join(tokens(u.name))]
    exact = [u for u in matches if " ".join(tokens(u.name)) == wanted]
    matches = exact or matches
    allowed = {u.id for u in await repo.units_in_scope(scope)} if scope is not None else None
    mine = [u for u in matches if allowed is None or u.id in allowed]
    if not mine:  # outside the caller's units or nowhere: one answer, naming nothing
        raise UserError("boards.unknown_unit", given=shown(wanted))
    if len(mine) > 1:
        raise UserError("leads.ambiguous_unit", names="; ".join(u.path for u in mine[:5]))
    unit = mine[0]
    return QuotaTarget(TargetKind.UNIT, unit.id, unit.id, unit.path)
