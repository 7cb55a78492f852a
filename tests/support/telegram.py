"""Helpers for Telegram tests: push an update, get the bot's answer."""

from __future__ import annotations

from typing import Any

from tests.support.botapi import ApiCall, BotApiServer


async def send(server: BotApiServer, update: dict[str, Any]) -> ApiCall:
    """Push one update and return the bot's first message in answer."""
    since = server.mark()
    server.push_update(update)
    return await server.wait_for("sendMessage", since=since)
