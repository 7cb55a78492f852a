"""Pictures and files by link: `PUBLIC_BASE_URL/media/<token>`, signed and expiring.

Zalo takes a photo only as a URL and cannot take a document at all, so a chart is put
here and sent by sendPhoto with its link, and an export becomes a download link for the
lead who asked. A token is `<id>.<expiry>.<signature>`: an HMAC-SHA256 over id and
expiry, so a guessed or edited token is refused before the database is asked. The
content lives in `media_links` (it survives a restart); a single-use link is spent by
its first download, atomically.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets
from collections.abc import Callable
from datetime import UTC, datetime, timedelta

from starlette.requests import Request
from starlette.responses import PlainTextResponse, Response

from storage.zalo_repository import MediaFile, ZaloRepository

CHART_TTL = timedelta(minutes=10)
"""A chart link: long enough for the platform to fetch it, short enough not to linger."""
EXPORT_TTL = timedelta(hours=1)
"""An export link: the lead opens it once, within the hour."""

_TYPES = {
    "png": "image/png",
    "csv": "text/csv; charset=utf-8",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


class MediaLinks:
    """Publishes files under signed, expiring links and serves them back."""

    def __init__(
        self,
        store: ZaloRepository,
        public_base_url: str,
        clock: Callable[[], datetime],
        secret: str | None = None,
    ) -> None:
        self.store, self.clock = store, clock
        self.public_base_url = public_base_url.rstrip("/")
        self._key = secret.encode() if secret else secrets.token_bytes(32)

    async def publish(self, file: MediaFile, ttl: timedelta, *, single_use: bool = False) -> str:
        """The public URL of `file`, valid for `ttl` (and for one download if `single_use`)."""
        media_id = secrets.token_urlsafe(16)
        expires_at = self.clock() + ttl
        await self.store.put_media(media_id, file, expires_at, single_use=single_use)
        return f"{self.public_base_url}/media/{self.sign(media_id, expires_at)}"

    def sign(self, media_id: str, expires_at: datetime) -> str:
        body = f"{media_id}.{int(expires_at.timestamp())}"
        return f"{body}.{self._signature(body)}"

    def verify(self, token: str) -> str | None:
        """The media id of a well-signed token that has not expired; None otherwise."""
        media_id, _, rest = token.partition(".")
        expiry, _, signature = rest.partition(".")
        if not media_id or not expiry.isdigit() or not signature:
            return None
        if not hmac.compare_digest(signature, self._signature(f"{media_id}.{expiry}")):
            return None
        if datetime.fromtimestamp(int(expiry), UTC) <= self.clock():
            return None
        return media_id

    def _signature(self, body: str) -> str:
        digest = hmac.new(self._key, body.encode(), hashlib.sha256).digest()
        return base64.urlsafe_b64encode(digest[:18]).decode()

    async def serve(self, request: Request) -> Response:
        """GET /media/<token>: the file, or 404 for anything unknown, expired or spent."""
        media_id = self.verify(request.path_params["token"])
        file = None if media_id is None else await self.store.take_media(media_id, self.clock())
        if file is None:
            return PlainTextResponse("not found or expired", status_code=404)
        extension = file.filename.rpartition(".")[2].lower()
        disposition = "inline" if extension == "png" else "attachment"
        return Response(
            file.content,
            media_type=_TYPES.get(extension, "application/octet-stream"),
            headers={
                "Content-Disposition": f'{disposition}; filename="{file.filename}"',
                "Cache-Control": "no-store",
            },
        )
