"""The Telegram channel end to end: real python-telegram-bot, HTTP to a local Bot API server."""

from __future__ import annotations

from channels.telegram import TelegramApp
from commands.context import Services
from tests.support.botapi import BotApiServer
from tests.support.telegram import send
from tests.support.updates import callback_update, contact_update, text_update, user

LAN = user(5001, "Lan")
STRANGER = user(5002, "Khách", language_code="en")


async def link_lan(server: BotApiServer) -> None:
    reply = await send(server, contact_update(LAN, "+84 912 000 001", contact_user_id=LAN["id"]))
    assert "Đã liên kết tài khoản với Nguyễn Thị Lan (0912000001)" in reply.params["text"]


async def entries(services: Services) -> dict[str, int]:
    member = await services.repo.member_by_phone("0912000001")
    assert member is not None
    today = services.clock().date()
    return await services.repo.achieved(member.id, today.replace(day=1), today)


async def test_start_asks_a_stranger_for_their_own_contact(
    server: BotApiServer, bot: TelegramApp
) -> None:
    reply = await send(server, text_update(LAN, "/start"))
    assert "chia sẻ số điện thoại" in reply.params["text"]
    [[button]] = reply.params["reply_markup"]["keyboard"]
    assert button["request_contact"] is True


async def test_menus_are_registered_in_vietnamese_and_english(
    server: BotApiServer, bot: TelegramApp
) -> None:
    vietnamese = [c["command"] for c in server.my_commands(language_code="vi")]
    english = [c["command"] for c in server.my_commands(language_code="en")]
    assert {"ghi", "huy", "tiendo", "trogiup", "ngonngu"} <= set(vietnamese)
    assert {"log", "undo", "progress", "help", "lang"} <= set(english)


async def test_own_contact_links_and_someone_elses_is_refused(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    forwarded = contact_update(STRANGER, "0912000001", contact_user_id=LAN["id"])
    refusal = await send(server, forwarded)
    assert refusal.params["text"].startswith("Please share your own phone number")
    not_staff = await send(server, contact_update(STRANGER, "0987654321", STRANGER["id"]))
    assert "0987654321 is not on the staff list" in not_staff.params["text"]
    member = await services.repo.member_by_phone("0912000001")
    assert member is not None and member.telegram_user_id is None

    await link_lan(server)
    member = await services.repo.member_by_phone("0912000001")
    assert member is not None and member.telegram_user_id == LAN["id"]


async def test_unlinked_users_get_only_the_linking_prompt(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    reply = await send(server, text_update(STRANGER, "/log TN 2"))
    assert reply.params["text"].startswith("Hello! To use this bot")
    assert await entries(services) == {}


async def test_log_progress_and_undo(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    await link_lan(server)
    logged = await send(server, text_update(LAN, "/ghi TN 2"))
    assert logged.params["text"].startswith(
        "✅ Đã ghi 2 người tham gia BHXH tự nguyện ngày 23/11/2026."
    )
    assert "BHXH tự nguyện: 2/10 (20,00%)" in logged.params["text"]
    progress = await send(server, text_update(LAN, "/tiendo"))
    assert "📊 Tiến độ tháng 11/2026" in progress.params["text"]
    undone = await send(server, text_update(LAN, "/huy"))
    assert undone.params["text"].startswith("↩️ Đã hủy bản ghi 2 người tham gia BHXH tự nguyện")
    assert await entries(services) == {}


async def test_buttons_lead_to_a_log(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    await link_lan(server)
    ask = await send(server, text_update(LAN, "/ghi"))
    programs = ask.params["reply_markup"]["inline_keyboard"]
    assert [row[0]["callback_data"] for row in programs] == ["/ghi TN", "/ghi YT"]
    counts = await send(server, callback_update(LAN, "/ghi YT", LAN["id"]))
    assert [b["callback_data"] for b in counts.params["reply_markup"]["inline_keyboard"][0]][
        :2
    ] == [
        "/ghi YT 1",
        "/ghi YT 2",
    ]
    done = await send(server, callback_update(LAN, "/ghi YT 3", LAN["id"]))
    assert "Đã ghi 3 người tham gia BHYT hộ gia đình" in done.params["text"]
    assert await entries(services) == {"YT": 3}


async def test_an_update_delivered_twice_counts_once(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    await link_lan(server)
    update = text_update(LAN, "TN 4")
    update["update_id"] = 777
    since = server.mark()
    server.push_raw(update)
    await server.wait_for("sendMessage", since=since)
    since = server.mark()
    server.push_raw(update)
    await server.wait_for("sendMessage", since=since)
    assert await entries(services) == {"TN": 4}


async def test_a_failing_send_is_apologised_for_and_the_bot_goes_on(
    server: BotApiServer, bot: TelegramApp
) -> None:
    await link_lan(server)
    server.fail_next("sendMessage", error_code=400, description="Bad Request: boom")
    apology = await send(server, text_update(LAN, "/tiendo"))
    assert apology.error_code == 400
    apology = await server.wait_for(
        "sendMessage", lambda call: "đã có lỗi xảy ra" in call.params.get("text", "")
    )
    assert apology.params["chat_id"] == LAN["id"]
    after = await send(server, text_update(LAN, "/tiendo"))
    assert "Tiến độ" in after.params["text"]


async def test_a_chats_updates_keep_their_order_while_chats_run_side_by_side(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    await link_lan(server)
    since = server.mark()
    # Arrive in one getUpdates batch: the undo must still follow the log it undoes.
    server.push_update(text_update(LAN, "TN 2"))
    server.push_update(text_update(LAN, "/huy"))
    server.push_update(text_update(STRANGER, "/start"))
    await server.wait_for(
        "sendMessage", lambda call: "Đã hủy bản ghi 2" in call.params["text"], since=since
    )
    to_lan = [call.params["text"] for call in server.sent_messages(LAN["id"])[-2:]]
    assert to_lan[0].startswith("✅ Đã ghi 2") and to_lan[1].startswith("↩️ Đã hủy")
    assert await entries(services) == {}


async def test_the_payment_term_is_a_button_press_after_one_participant(
    server: BotApiServer, bot: TelegramApp, services: Services
) -> None:
    await link_lan(server)
    logged = await send(server, text_update(LAN, "/ghi TN 1"))
    assert "Phương thức đóng của người tham gia?" in logged.params["text"]
    [row] = logged.params["reply_markup"]["inline_keyboard"]
    assert [button["text"] for button in row] == ["1 tháng", "3 tháng", "6 tháng", "12 tháng"]
    done = await send(server, callback_update(LAN, row[3]["callback_data"], LAN["id"]))
    assert done.params["text"].startswith("✅ Đã ghi phương thức đóng 12 tháng cho bản ghi #")
    member = await services.repo.member_by_phone("0912000001")
    assert member is not None
    today = services.clock().date()
    [fact] = await services.repo.member_entries(member.id, today, today)
    assert fact.term_months == 12
