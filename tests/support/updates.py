"""Factories for Bot API update dicts (the JSON shape getUpdates returns), for BotApiServer."""

from __future__ import annotations

import itertools
import time
from typing import Any

from .botapi import BOT_USER

JSONDict = dict[str, Any]

_message_ids = itertools.count(1)
_callback_ids = itertools.count(1)


def _now() -> int:
    return int(time.time())


def user(
    user_id: int,
    first_name: str = "Nguyễn Văn",
    language_code: str | None = "vi",
    *,
    last_name: str | None = None,
    username: str | None = None,
) -> JSONDict:
    """A human Telegram User."""
    result: JSONDict = {"id": user_id, "is_bot": False, "first_name": first_name}
    optional = {"last_name": last_name, "username": username, "language_code": language_code}
    result.update({key: value for key, value in optional.items() if value is not None})
    return result


def private_chat(of_user: JSONDict) -> JSONDict:
    """The private chat between the bot and ``of_user`` (chat id == user id)."""
    chat: JSONDict = {"id": of_user["id"], "type": "private", "first_name": of_user["first_name"]}
    for key in ("last_name", "username"):
        if key in of_user:
            chat[key] = of_user[key]
    return chat


def group_chat(chat_id: int, title: str = "Nhóm thu BHXH", *, supergroup: bool = True) -> JSONDict:
    """A group or supergroup chat (use a negative id, e.g. -1001234567890 for supergroups)."""
    return {"id": chat_id, "type": "supergroup" if supergroup else "group", "title": title}


def message(
    from_user: JSONDict,
    chat: JSONDict | None = None,
    message_id: int | None = None,
    date: int | None = None,
    **content: Any,
) -> JSONDict:
    """A Message dict; ``content`` adds text/contact/photo/... fields."""
    return {
        "message_id": next(_message_ids) if message_id is None else message_id,
        "from": from_user,
        "chat": private_chat(from_user) if chat is None else chat,
        "date": _now() if date is None else date,
        **content,
    }


def text_update(
    from_user: JSONDict,
    text: str,
    chat: JSONDict | None = None,
    message_id: int | None = None,
    date: int | None = None,
) -> JSONDict:
    """An update with a text message; a leading "/command[@bot]" gets a bot_command entity."""
    content: JSONDict = {"text": text}
    if text.startswith("/"):
        command = text.split(maxsplit=1)[0]
        length = len(command.encode("utf-16-le")) // 2  # entity offsets count UTF-16 units
        content["entities"] = [{"type": "bot_command", "offset": 0, "length": length}]
    return {"message": message(from_user, chat, message_id, date, **content)}


def contact_update(
    from_user: JSONDict,
    phone_number: str,
    contact_user_id: int | None = None,
    first_name: str = "Nguyễn Văn",
    *,
    chat: JSONDict | None = None,
    message_id: int | None = None,
) -> JSONDict:
    """A shared contact; ``contact_user_id`` may differ from the sender (someone else's card)."""
    contact: JSONDict = {"phone_number": phone_number, "first_name": first_name}
    if contact_user_id is not None:
        contact["user_id"] = contact_user_id
    return {"message": message(from_user, chat, message_id, contact=contact)}


def callback_update(
    from_user: JSONDict,
    data: str,
    message_chat_id: int | None = None,
    message_id: int | None = None,
    *,
    text: str = "…",
    reply_markup: JSONDict | None = None,
) -> JSONDict:
    """An inline-button press on a bot message in chat ``message_chat_id`` (default: private)."""
    if message_chat_id is None or message_chat_id == from_user["id"]:
        chat = private_chat(from_user)
    elif message_chat_id > 0:
        chat = {"id": message_chat_id, "type": "private", "first_name": "Người dùng"}
    else:
        chat = group_chat(message_chat_id, supergroup=message_chat_id < -(10**12))
    bot_message = message(BOT_USER, chat, message_id, text=text)
    if reply_markup is not None:
        bot_message["reply_markup"] = reply_markup
    return {
        "callback_query": {
            "id": str(next(_callback_ids)),
            "from": from_user,
            "chat_instance": f"ci{chat['id']}",
            "data": data,
            "message": bot_message,
        }
    }
