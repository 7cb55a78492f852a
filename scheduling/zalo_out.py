"""Scheduled messages out through Zalo: a team group's summary as a photo by link.

Zalo takes a photo only as a URL, so the chart is published under a signed, expiring
`/media` link first (channels.media). The client already retries 429 and 5xx a few
times with backoff; what still fails is told to the runner the way Telegram's errors
are: try again later, failed for good, or unknown (a timeout after the request left).
"""

from __future__ import annotations

import httpx

from channels.media import CHART_TTL, MediaLinks
from channels.zalo_api import MAX_TEXT, ZaloApiError, ZaloBotClient
from scheduling.outbox import Outcome, Result
from storage.zalo_repository import MediaFile


def zalo_failure(error: Exception) -> Result:
    detail = f"{type(error).__name__}: {error}"
    if isinstance(error, ZaloApiError):
        retry = error.error_code == 429 or error.error_code >= 500
        return Result(Outcome.RETRY if retry else Outcome.FAILED, "zalo", detail)
    if isinstance(error, httpx.ReadTimeout):
        return Result(Outcome.UNKNOWN, "zalo", detail)  # it may have been shown
    return Result(Outcome.RETRY, "zalo", detail)  # the request never reached Zalo


class ZaloOut:
    def __init__(self, client: ZaloBotClient, media: MediaLinks | None) -> None:
        self.client, self.media = client, media

    async def photo(self, chat_id: str, png: bytes, caption: str, filename: str) -> Result:
        try:
            if self.media is None:  # no public address: the caption alone
                await self.client.send_message(chat_id, caption)
            else:
                url = await self.media.publish(MediaFile(filename, png), CHART_TTL)
                await self.client.send_photo(chat_id, url, caption[:MAX_TEXT])
        except (ZaloApiError, httpx.HTTPError) as error:
            return zalo_failure(error)
        return Result(Outcome.SENT, "zalo")

    async def text(self, chat_id: str, text: str) -> Result:
        try:
            await self.client.send_message(chat_id, text)
        except (ZaloApiError, httpx.HTTPError) as error:
            return zalo_failure(error)
        return Result(Outcome.SENT, "zalo")
