"""On a channel without buttons (Zalo, the console), no sentence says "press a button":
such channels read the `numbered.` wording of a message, and the choices come as a
numbered list. Two sweeps: every catalogue message that speaks of buttons, and every
choice prompt the bot sends on Zalo, in both languages."""

from __future__ import annotations

import re

import pytest

from commands.context import Services
from locales import LANGUAGES, catalogue
from tests.conftest import NOW
from tests.support.zalo import running_zalo

LAN, LEAD = "u-lan", "u-duc"
BUTTON_WORDS = {
    "vi": re.compile(r"bấm|nút|nhấn|chạm", re.IGNORECASE),
    "en": re.compile(r"\b(press|tap|click|button)s?\b", re.IGNORECASE),
}
SENT_ONLY_WITH_BUTTONS = {
    "choice.how.telegram": "the yes/no question on Telegram",
    "start.ask_contact": "Telegram's contact sharing",
    "start.not_own": "Telegram's contact sharing",
}
"""Messages about buttons that only Telegram sends, where the buttons are."""


@pytest.mark.parametrize("language", LANGUAGES)
def test_every_message_about_buttons_has_numbered_wording(language: str) -> None:
    messages = catalogue(language)
    speaks_of_buttons = {
        key
        for key, text in messages.items()
        if not key.startswith(("sms.", "numbered.")) and BUTTON_WORDS[language].search(str(text))
    }
    missing = {
        key
        for key in speaks_of_buttons - set(SENT_ONLY_WITH_BUTTONS)
        if f"numbered.{key}" not in messages
    }
    assert missing == set()
    assert "term.ask" in speaks_of_buttons  # the sweep sees what it is meant to see
    numbered = {key: str(text) for key, text in messages.items() if key.startswith("numbered.")}
    assert numbered and not [t for t in numbered.values() if BUTTON_WORDS[language].search(t)]


LINES = {
    "vi": {
        LAN: ["/ghi", "1", "2", "yt1"],
        LEAD: [
            "/duyet", "/duyet tatca", "n", "/tuchoi 1 sai ngày", "/duyet 1", "n",
            "/chitieu 0912000002 TN tháng 12", "n", "/chitieu 0912000002 TN tháng 10 15", "n",
        ],
    },
    "en": {
        LAN: ["/log", "1", "2", "yt1"],
        LEAD: [
            "/approve", "/approve all", "n", "/reject 4 wrong day", "/approve 4", "n",
            "/quota 0912000002 TN tháng 12", "n", "/quota 0912000002 TN tháng 10 15", "n",
        ],
    },
}  # fmt: skip
CHOOSE = {"vi": "Gõ số thứ tự để chọn.", "en": "Type a number to choose."}


async def test_every_choice_prompt_on_zalo_is_a_numbered_list_without_buttons(
    services: Services,
) -> None:
    for phone, user in (("0912000001", LAN), ("0913000001", LEAD)):
        member = await services.repo.member_by_phone(phone)
        assert member is not None
        assert await services.repo.link_zalo(member.id, user, phone, NOW)
    prompts: dict[str, list[str]] = {"vi": [], "en": []}
    async with running_zalo(services) as zalo:
        for language in LANGUAGES:
            for user in (LAN, LEAD):
                if language == "en":
                    await zalo.say(user, "/ngonngu en")
                for line in LINES[language][user]:
                    answer = await zalo.say(user, line)
                    if CHOOSE[language] in answer:
                        prompts[language].append(answer)
    for language in LANGUAGES:
        # /ghi, its count, the payment term; /duyet, confirm all, reopen, "tháng 12" two
        # ways, a past quota: each a numbered list.
        assert len(prompts[language]) == 8, prompts[language]
        for prompt in prompts[language]:
            assert not BUTTON_WORDS[language].search(prompt), prompt
            assert re.search(r"^1\. .+\n2\. .+", prompt, re.MULTILINE), prompt
