"""The Telegram channel: python-telegram-bot handlers that parse, call `commands`, render.

Every handler is a thin adapter. Who the sender is comes from the staff list (linked by
a shared contact); what they typed goes to `commands.registry.run_text`; the reply's
buttons, contact request, files and group posts become Telegram calls.
"""

from __future__ import annotations

import logging
from typing import Any, cast

from telegram import (
    BotCommand,
    InlineKeyboardButton,
    InlineKeyboardMarkup,
    KeyboardButton,
    ReplyKeyboardMarkup,
    ReplyKeyboardRemove,
    Update,
)
from telegram.constants import ChatType
from telegram.ext import (
    AIORateLimiter,
    Application,
    CallbackQueryHandler,
    ContextTypes,
    MessageHandler,
    filters,
)

from channels.ordering import PerChatOrder
from commands.context import Reply, Services
from commands.link import ask_to_link, link_by_contact
from commands.notices import Result, deliver_notices
from commands.registry import commands_for, run_text
from locales import LANGUAGES, Translator
from scheduling.outbox import TelegramOut
from settings import Settings
from tracker.models import Channel, Member, Role
from tracker.text import RedactingFilter, redact, redact_loggers

logger = logging.getLogger(__name__)
logger.addFilter(RedactingFilter())
redact_loggers("telegram")  # PTB logs whole updates at DEBUG: never a participant's code

TelegramApp = Application[Any, Any, Any, Any, Any, Any]


def services_of(context: ContextTypes.DEFAULT_TYPE) -> Services:
    return cast(Services, context.bot_data["services"])


def build_application(services: Services | None, settings: Settings) -> TelegramApp:
    """The PTB application for `settings`, with every handler wired; not yet started.
    Without `services` (the database not open yet), they are put in `bot_data` later."""
    builder = Application.builder().token(settings.require("telegram_bot_token"))
    if settings.telegram_api_base_url:
        base = settings.telegram_api_base_url.rstrip("/")
        builder = builder.base_url(f"{base}/bot").base_file_url(f"{base}/file/bot")
    application = (
        builder.rate_limiter(AIORateLimiter(max_retries=3))
        .concurrent_updates(PerChatOrder())
        .build()
    )
    if services is not None:
        application.bot_data["services"] = services
        services.notifier.register(Channel.TELEGRAM, TelegramNotices(application.bot))
    add_handlers(application)
    return application


async def start_telegram(application: TelegramApp, *, polling: bool) -> None:
    """Initialise, register the menus, start; with `polling`, fetch updates by long polling.

    Started by hand rather than `run_polling()` because the bot also serves HTTP (SMS,
    webhook) in the same event loop.
    """
    await application.initialize()
    await register_menus(application)
    await application.start()
    if polling:
        assert application.updater is not None
        await application.updater.start_polling(poll_interval=0.5, timeout=10)


async def stop_telegram(application: TelegramApp) -> None:
    if application.updater is not None and application.updater.running:
        await application.updater.stop()
    if application.running:
        await application.stop()
    await application.shutdown()


def add_handlers(application: TelegramApp) -> None:
    application.add_handler(MessageHandler(filters.CONTACT, on_contact))
    application.add_handler(CallbackQueryHandler(on_button))
    application.add_handler(MessageHandler(filters.TEXT & ~filters.UpdateType.EDITED, on_text))
    application.add_error_handler(on_error)


async def register_menus(application: TelegramApp) -> None:
    """The command menu in Vietnamese (the default) and in English."""
    officer_commands = commands_for(Role.OFFICER)
    for language in LANGUAGES:
        t = Translator(language)
        menu = [
            BotCommand(
                command.name if language == "vi" else command.alias, t(command.help_key)[:256]
            )
            for command in officer_commands
        ]
        await application.bot.set_my_commands(menu, language_code=language)
    vietnamese = Translator("vi")
    await application.bot.set_my_commands(
        [BotCommand(c.name, vietnamese(c.help_key)[:256]) for c in officer_commands]
    )


async def _sender(update: Update, context: ContextTypes.DEFAULT_TYPE) -> Member | None:
    user = update.effective_user
    return None if user is None else await services_of(context).repo.member_by_telegram(user.id)


async def on_text(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A command or shorthand from a member; a stranger is asked to link first."""
    message = update.effective_message
    if message is None or message.text is None or update.effective_chat is None:
        return
    member = await _sender(update, context)
    if member is None:
        if update.effective_chat.type == ChatType.PRIVATE:
            user = update.effective_user
            language = user.language_code if user else None
            await send_reply(context, message.chat_id, ask_to_link(language))
        return
    source_key = f"tg:{message.chat_id}:{message.message_id}"
    in_group = update.effective_chat.type in (ChatType.GROUP, ChatType.SUPERGROUP)
    reply = await run_text(
        services_of(context),
        member,
        message.text,
        Channel.TELEGRAM,
        source_key,
        group_chat_id=message.chat_id if in_group else None,
    )
    await send_reply(context, message.chat_id, reply)


async def on_contact(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """A shared contact: link the account if it is the sender's own number on staff."""
    message = update.effective_message
    user = update.effective_user
    if message is None or message.contact is None or user is None:
        return
    reply, member = await link_by_contact(
        services_of(context),
        user.id,
        message.contact.user_id,
        message.contact.phone_number,
        user.language_code,
    )
    await send_reply(context, message.chat_id, reply, linked=member is not None)


async def on_button(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    """An inline button: its data is a command, run as if the member had typed it."""
    query = update.callback_query
    if query is None or query.data is None:
        return
    await query.answer()
    member = await _sender(update, context)
    chat_id = query.message.chat.id if query.message else query.from_user.id
    if member is None:
        await send_reply(context, chat_id, ask_to_link(query.from_user.language_code))
        return
    reply = await run_text(
        services_of(context), member, query.data, Channel.TELEGRAM, f"tg:cb:{query.id}"
    )
    await send_reply(context, chat_id, reply)


async def send_reply(
    context: ContextTypes.DEFAULT_TYPE, chat_id: int, reply: Reply, *, linked: bool = False
) -> None:
    """Render a Reply as Telegram messages: text with its keyboard, then files, then posts."""
    markup: Any = None
    if reply.contact_button:
        markup = ReplyKeyboardMarkup(
            [[KeyboardButton(reply.contact_button, request_contact=True)]],
            one_time_keyboard=True,
            resize_keyboard=True,
        )
    elif reply.buttons:
        markup = InlineKeyboardMarkup(
            [
                [InlineKeyboardButton(b.label, callback_data=b.command) for b in row]
                for row in reply.buttons
            ]
        )
    elif linked:
        markup = ReplyKeyboardRemove()
    await context.bot.send_message(chat_id, reply.text, reply_markup=markup)
    for attachment in reply.attachments:
        if attachment.is_image:
            await context.bot.send_photo(chat_id, attachment.content, filename=attachment.filename)
        else:
            await context.bot.send_document(
                chat_id, attachment.content, filename=attachment.filename
            )
    repo = services_of(context).repo
    await deliver_notices(services_of(context), reply.direct_messages)
    for post in reply.group_posts:
        group_chat_id = await repo.nearest_group_chat(post.unit_id)
        if group_chat_id is not None:
            await context.bot.send_message(group_chat_id, post.text)


class TelegramNotices:
    """Notices by Telegram, to members who linked their account."""

    plain = False

    def __init__(self, bot: Any) -> None:
        self.bot = bot
        self.out = TelegramOut(bot)

    async def reaches(self, member: Member) -> bool:
        return member.telegram_user_id is not None

    async def send(self, member: Member, text: str) -> Result:
        assert member.telegram_user_id is not None
        return await self.out.text(member.telegram_user_id, text)

    async def send_photo(self, member: Member, png: bytes, caption: str, filename: str) -> Result:
        assert member.telegram_user_id is not None
        return await self.out.photo(member.telegram_user_id, png, caption, filename)


async def on_error(update: object, context: ContextTypes.DEFAULT_TYPE) -> None:
    """The one error handler: log with the update, apologise, keep the bot running."""
    logger.error("update failed: %s", redact(repr(update)), exc_info=context.error)
    if isinstance(update, Update) and update.effective_chat is not None:
        language = update.effective_user.language_code if update.effective_user else None
        try:
            await context.bot.send_message(
                update.effective_chat.id,
                Translator(language if language in LANGUAGES else "vi")("error.internal"),
            )
        except Exception:
            logger.exception("could not tell the user about the failure")
