"""A demo organisation in Thanh Hóa, so a newcomer sees the product in one command.

Deterministic (a fixed seed): the same day always gives the same demo.
"""

from __future__ import annotations

import random
from datetime import date, datetime, time, timedelta

from locales import Translator
from storage.repository import QuotaRow, Repository, StaffRow
from tracker.models import Channel, Member, NewEntry, PlanKind, Role, TargetKind
from tracker.participant_counts import CountRow
from tracker.participants import ParticipantDetails, hashed
from tracker.periods import VIETNAM
from tracker.renewals import add_months

PROVINCE = "BHXH tỉnh Thanh Hóa"
DEMO_OFFICER_PHONE = "0912000001"
# An office with its own plan (kế hoạch giao), above its people's quotas added up: its
# lead (0913000002) sees the office against it in /tiendo, /bxh, /donvi and /xuat.
PLANNED_OFFICE = "BHXH cơ sở Hạc Thành"
OFFICE_PLAN = {"TN": 700, "YT": 1_300}
# Plans for participants in total (kế hoạch tổng số người tham gia) of the office and one
# commune, with their counts at the end of last year as the official system gave them:
# /bxh, /donvi, /tonghop, /bieudo, /thidua and the TV show each against its count.
TOTAL_PLANS = {PLANNED_OFFICE: 1_250, f"{PLANNED_OFFICE} / Phường Hạc Thành": 480}
COUNTS_LAST_YEAR = {PLANNED_OFFICE: 640, f"{PLANNED_OFFICE} / Phường Hạc Thành": 250}
DEMO_SECRET = "demo-only-participant-key"
"""Hashes the demo's made-up participant codes when no PARTICIPANT_HASH_SECRET is set."""
PARTICIPANTS_EACH = 6
"""Participants with a payment term per field member, due around the demo's first day."""

# (unit path below the province, [(name, role)])
_ORGANISATION: list[tuple[str, list[tuple[str, Role]]]] = [
    ("", [("Lê Văn Hùng", Role.ADMIN)]),
    ("BHXH cơ sở Hạc Thành", [("Trần Minh Đức", Role.LEAD)]),
    (
        "BHXH cơ sở Hạc Thành / Phường Hạc Thành",
        [
            ("Nguyễn Thị Lan", Role.OFFICER),
            ("Phạm Văn Nam", Role.OFFICER),
            ("Hoàng Thị Mai", Role.OFFICER),
        ],
    ),
    (
        "BHXH cơ sở Hạc Thành / Bưu điện Hạc Thành",
        [("Vũ Thị Hoa", Role.AGENT), ("Đặng Văn Tú", Role.AGENT)],
    ),
    (
        "BHXH cơ sở Hạc Thành / Hội Nông dân xã Đông Tiến",
        [("Bùi Văn Thắng", Role.AGENT), ("Đỗ Thị Hằng", Role.AGENT)],
    ),
    ("BHXH cơ sở Sầm Sơn", [("Ngô Thị Thu", Role.LEAD)]),
    (
        "BHXH cơ sở Sầm Sơn / Phường Sầm Sơn",
        [("Dương Văn Long", Role.OFFICER), ("Lý Thị Ngọc", Role.OFFICER)],
    ),
    (
        "BHXH cơ sở Sầm Sơn / Hội Phụ nữ phường Quảng Tiến",
        [
            ("Trịnh Thị Yến", Role.AGENT),
            ("Mai Văn Sơn", Role.AGENT),
            ("Phan Thị Nhung", Role.AGENT),
        ],
    ),
]


def demo_staff() -> list[StaffRow]:
    """Field staff get 0912 000 0NN (the first officer is 0912000001), leads 0913 000 0NN."""
    rows: list[StaffRow] = []
    numbers = {"field": 0, "lead": 0}
    for unit_suffix, people in _ORGANISATION:
        path = f"{PROVINCE} / {unit_suffix}" if unit_suffix else PROVINCE
        for name, role in people:
            series = "field" if role in (Role.OFFICER, Role.AGENT) else "lead"
            numbers[series] += 1
            prefix = "0912" if series == "field" else "0913"
            rows.append(StaffRow(len(rows) + 2, path, name, f"{prefix}{numbers[series]:06d}", role))
    return rows


def demo_leads() -> list[StaffRow]:
    """The demo's leads, each with their own unit (the admin sees everything)."""
    return [row for row in demo_staff() if row.role is Role.LEAD]


def demo_leads_hint(t: Translator) -> str:
    """How to try the demo as a lead: their phones as the demo really gives them."""
    leads = ", ".join(
        f"{row.phone} ({row.name}, {row.unit_path.rsplit(' / ', 1)[-1]})" for row in demo_leads()
    )
    return t("demo.leads", leads=leads, phone=demo_leads()[0].phone)


async def fill_demo(repo: Repository, now: datetime) -> bool:
    """Fill an empty database with the demo; False (and no change) if it has members."""
    if await repo.count_members() > 0:
        return False
    rng = random.Random(2026)
    staff = demo_staff()
    await repo.import_staff(staff)
    today = now.astimezone(VIETNAM).date()
    # From 1 January, but never fewer than eight weeks: a demo on 2 January still has
    # numbers, and last December's quota to measure them against.
    first = min(date(today.year, 1, 1), today - timedelta(weeks=8))
    years = range(first.year, today.year + 1)
    yearly: dict[tuple[str, str], int] = {}
    quotas = []
    for row in staff:
        if row.role in (Role.OFFICER, Role.AGENT):
            for code, choices in (("TN", (60, 80, 120)), ("YT", (120, 150, 200))):
                yearly[(row.phone, code)] = rng.choice(choices)
                quotas += [
                    QuotaRow(
                        0, TargetKind.MEMBER, row.phone, code, str(year), yearly[(row.phone, code)]
                    )
                    for year in years
                ]
    quotas += [
        QuotaRow(0, TargetKind.UNIT, f"{PROVINCE} / {PLANNED_OFFICE}", code, str(year), plan)
        for code, plan in OFFICE_PLAN.items()
        for year in years
    ]
    quotas += [
        QuotaRow(0, TargetKind.UNIT, f"{PROVINCE} / {path}", "TN", str(year), plan, PlanKind.TOTAL)
        for path, plan in TOTAL_PLANS.items()
        for year in years
    ]
    await repo.import_quotas(quotas, now)
    year_end = date(first.year, 1, 1) - timedelta(days=1)
    await repo.import_participant_counts(
        [
            CountRow(0, f"{PROVINCE} / {path}", "TN", year_end, count)
            for path, count in COUNTS_LAST_YEAR.items()
        ],
        now,
    )

    # Each member at their own pace against plan, up to yesterday.
    for row in staff:
        member = await repo.member_by_phone(row.phone)
        if member is None or row.role not in (Role.OFFICER, Role.AGENT):
            continue
        zeal = rng.uniform(0.6, 1.35)
        day = first
        while day < today:
            for code in ("TN", "YT"):
                chance = yearly[(row.phone, code)] * zeal / (365 * 1.8)
                if day.weekday() != 6 and rng.random() < chance:
                    instant = datetime.combine(day, time(8 + rng.randrange(9)), VIETNAM)
                    await repo.add_entry(
                        NewEntry(
                            member.id,
                            member.unit_id,
                            code,
                            day,
                            rng.choice((1, 1, 2, 2, 3)),
                            Channel.IMPORT,
                            instant,
                            source_key=f"demo:{member.id}:{day}:{code}",
                        )
                    )
            day += timedelta(days=1)
        await _participants(repo, member, today, rng)
    return True


async def _participants(repo: Repository, member: Member, today: date, rng: random.Random) -> None:
    """Made-up participants whose paid terms end from two months ago to a month ahead, so
    that /denhan has something to show on the first day."""
    if repo.participant_secret is None:
        repo.use_participant_secret(DEMO_SECRET)
    for number in range(PARTICIPANTS_EACH):
        term = rng.choice((1, 3, 6, 12))
        due = today + timedelta(days=rng.randrange(-60, 29))
        day = add_months(due, -term)
        code = f"38{member.id:03d}{number:02d}{rng.randrange(1000):03d}"
        instant = datetime.combine(day, time(9), VIETNAM)
        entry = NewEntry(member.id, member.unit_id, "TN", day, 1, Channel.IMPORT, instant)
        details = ParticipantDetails(code, term, rejoin=False)
        await repo.add_detailed_entry(entry, hashed(details, repo.participant_secret))
