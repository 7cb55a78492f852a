"""What a command receives (who, when, through which channel) and what it returns."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from commands.notices import Notifier
from leaderboards.emulation_rules import EmulationRules, load_emulation_rules
from locales import Translator
from storage.repository import Repository
from tracker.models import Channel, Member
from tracker.periods import local_day
from tracker.rules import Rules
from tracker.text import redact


@dataclass(frozen=True)
class Services:
    """The long-lived parts every command may use."""

    repo: Repository
    rules: Rules
    clock: Callable[[], datetime]
    """Returns an aware instant; tests pass a fixed one."""
    emulation: EmulationRules = field(default_factory=load_emulation_rules)
    public_base_url: str = "http://127.0.0.1:8080"
    """Where the office TV page is reached (PUBLIC_BASE_URL): `/tv` links start with it."""
    notifier: Notifier = field(default_factory=Notifier)
    """The channels notices go out on; each channel registers itself when it starts."""


@dataclass(frozen=True)
class Request:
    services: Services
    member: Member | None
    t: Translator
    now: datetime
    channel: Channel
    source_key: str | None = None
    """The channel's id for the inbound message: a repeat of it changes nothing."""
    group_chat_id: int | str | None = None
    """Set when the message came from a team group: replies there are seen by everyone.
    Telegram's chat ids are integers, Zalo's are text."""
    raw_args: str = ""
    """The arguments as typed (accents, case, punctuation kept): for free text, a reason."""
    confirmed: bool = False
    """The member already confirmed this very command (answered "CO" to its question)."""

    @property
    def today(self) -> date:
        return local_day(self.now)

    def free_text(self, skip: int) -> str:
        """What was typed after the first `skip` words (a reason, an initiative), as it is
        stored and shown: runs of 10+ digits masked like the logs, for a participant's
        BHXH code or CCCD typed into it must not be kept in clear (Decree 13/2023)."""
        parts = self.raw_args.split(maxsplit=skip)
        return redact(parts[skip].strip()) if len(parts) > skip else ""

    @property
    def repo(self) -> Repository:
        return self.services.repo

    @property
    def rules(self) -> Rules:
        return self.services.rules


@dataclass(frozen=True)
class Button:
    """A choice offered with a reply; pressing it sends `command` as if typed."""

    label: str
    command: str


@dataclass(frozen=True)
class Attachment:
    filename: str
    content: bytes
    is_image: bool


@dataclass(frozen=True)
class GroupPost:
    """A message for a unit's team group, sent beside the reply."""

    unit_id: int
    text: str


@dataclass(frozen=True)
class DirectMessage:
    """A notice for another member (the owner of a rejected entry, the leads told of a
    duplicate): who, a message key and its values. It is worded for its reader and sent
    on the channel they use (`commands.notices`), whichever channel caused it."""

    member_id: int
    key: str
    params: Mapping[str, Any] = field(default_factory=dict)
    """Values as the translator takes them; a `Program` is named for the reader's channel."""
    tell_if_undelivered: int | None = None
    """Who is told when no channel reaches the member (the lead who caused the notice)."""


@dataclass
class Reply:
    text: str
    buttons: list[list[Button]] = field(default_factory=list)
    contact_button: str | None = None
    """A label: the channel offers a button that shares the user's own phone number."""
    attachments: list[Attachment] = field(default_factory=list)
    group_posts: list[GroupPost] = field(default_factory=list)
    direct_messages: list[DirectMessage] = field(default_factory=list)
    refused: bool = False
    """The command was refused (bad input, not allowed): nothing changed."""
