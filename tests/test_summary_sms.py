"""The weekly summary a lead without a group reads by SMS: one message of at most 160
characters, with the unit's plan for participants in total (issue 14) folded into ASCII
and short enough to come before the cut. Real parts: the scheduler, the SMS sender (as
`tests/test_zalo_reminders.py`), the store."""

from __future__ import annotations

from datetime import date

import pytest

from channels.sms import fit_sms
from commands.context import Services
from commands.summary_text import SummaryData, Total, compose_summary
from commands.total_standing import TotalStanding
from locales import Translator
from storage.repository import QuotaRow
from tests.conftest import NOW, OFFICE, Clock
from tests.test_zalo_reminders import summary_by_sms
from tracker.models import PlanKind, TargetKind
from tracker.participant_counts import CountRow
from tracker.periods import parse_period
from tracker.rules import load_rules

LEAD = "0913000001"  # the lead of BHXH cơ sở Hạc Thành, on no channel but SMS
EXPECTED = {
    "vi": (
        "Tong hop tuan 47 (16/11-22/11)\n"
        "Phat trien moi so KH:\nTN: 0/6 (0%)\nYT: 0/15 (0%)\nTong cong: 0/21 (0%)\n"
        "Tong so TG TN: 1.100/1.200 (91%)\nChua co nguoi tham gia..."
    ),
    "en": (
        "Summary of week 47 (16/11-22/11)\n"
        "New vs plan:\nTN: 0/6 (0%)\nYT: 0/15 (0%)\nAll programs: 0/21 (0%)\n"
        "In total TN: 1,100/1,200 (91%)\nNo participants were logged..."
    ),
}


@pytest.mark.parametrize("language", ["vi", "en"])
async def test_an_sms_summary_carries_the_total_plan_before_the_cut(
    services: Services, clock: Clock, language: str
) -> None:
    # The office plans 1.200 participants in total for 2026; it counted 1.100 on 31/10.
    await services.repo.import_quotas(
        [QuotaRow(2, TargetKind.UNIT, OFFICE, "TN", "2026", 1_200, PlanKind.TOTAL)], NOW
    )
    await services.repo.import_participant_counts(
        [CountRow(2, OFFICE, "TN", date(2026, 10, 31), 1_100)], NOW
    )
    lead = await services.repo.member_by_phone(LEAD)
    assert lead is not None
    await services.repo.set_language(lead.id, language)
    to, text = await summary_by_sms(services, clock)
    assert to == LEAD
    assert text == EXPECTED[language]  # 159 and 158 characters: the rest is cut


@pytest.mark.parametrize("language", ["vi", "en"])
def test_a_busy_office_still_gets_its_total_plan_whole(language: str) -> None:
    # Three-digit week figures and a five-digit plan: with the week's dates written in
    # full ("16/11/2026 - 22/11/2026") the total-plan line was cut to "- Tong so TG...".
    busy = SummaryData(
        unit_name="BHXH cơ sở Hạc Thành",
        period=parse_period("2026-W47"),
        totals=(Total("TN", 412, 450), Total("YT", 986, 1_000), Total("", 1_398, 1_450)),
        top=(),
        most_improved=None,
        badges=(),
        daily=(200,) * 7,
        programs=load_rules().programs,
        total_plans=(
            TotalStanding(OFFICE, "TN", parse_period("2026"), 12_000, 11_104, NOW.date()),
        ),
    )
    text = fit_sms(compose_summary(Translator(language, plain=True), busy))
    last = {
        "vi": "Tong so TG TN: 11.104/12.000 (92%)",
        "en": "In total TN: 11,104/12,000 (92%)",
    }
    assert text.splitlines()[-1] == last[language]
    assert len(text) <= 160
