"""The weekly summary a lead without a group reads by SMS: one message of at most 160
characters, with the unit's plan for participants in total (issue 14) folded into ASCII
and short enough to come before the cut. Real parts: the scheduler, the SMS sender (as
`tests/test_zalo_reminders.py`), the store."""

from __future__ import annotations

from datetime import date

import pytest

from commands.context import Services
from storage.repository import QuotaRow
from tests.conftest import NOW, OFFICE, Clock
from tests.test_zalo_reminders import summary_by_sms
from tracker.models import PlanKind, TargetKind
from tracker.participant_counts import CountRow

LEAD = "0913000001"  # the lead of BHXH cơ sở Hạc Thành, on no channel but SMS
EXPECTED = {
    "vi": (
        "Tong hop tuan 47 (16/11/2026 - 22/11/2026)\n"
        "Phat trien moi so KH:\n- TN: 0/6 (0%)\n- YT: 0/15 (0%)\n- Tong cong: 0/21 (0%)\n"
        "- Tong so TG TN: 1.100/1.200 (91%)..."
    ),
    "en": (
        "Summary of week 47 (16/11/2026 - 22/11/2026)\n"
        "New vs plan:\n- TN: 0/6 (0%)\n- YT: 0/15 (0%)\n- All programs: 0/21 (0%)\n"
        "- In total TN: 1,100/1,200 (91%)\nNo..."
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
    assert text == EXPECTED[language]  # 156 and 153 characters: the rest is cut
