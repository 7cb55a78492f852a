"""The office TV over HTTP: the page, its event stream, its script, style and fonts.

GET /tv/<token>          the page (Jinja2, server-rendered: it shows the board at once)
GET /tv/<token>/events   server-sent events: the board now, then each change
GET /tv/static/<file>    screen.js, screen.css and the DejaVu fonts (nothing from the internet)

A wrong or revoked token gets 404. The token is in the address, so pages send no
referrer and are not cached; the page may load nothing from anywhere but the bot.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from importlib.util import find_spec
from pathlib import Path

from jinja2 import Environment, FileSystemLoader, select_autoescape
from starlette.requests import Request
from starlette.responses import FileResponse, HTMLResponse, Response, StreamingResponse
from starlette.routing import BaseRoute, Route

from channels.tv.hub import ScreenHub, Viewer
from commands.render import period_label
from commands.screen import screen_token_hash
from commands.screen_board import ScreenData
from commands.summary_text import MemberBadges
from locales import Translator
from storage.screen_repository import Screen
from tracker.percent import Percent
from tracker.periods import VIETNAM, Period, PeriodKind

_HERE = Path(__file__).resolve().parent


def matplotlib_fonts() -> Path:
    """matplotlib's bundled fonts, found without importing it (as `get_data_path()` says,
    its data sits beside the package): the import costs the bot about 30 MB resident,
    which only drawing a chart should pay (leaderboards.charts)."""
    spec = find_spec("matplotlib")
    assert spec is not None and spec.origin is not None, "matplotlib is a dependency"
    return Path(spec.origin).parent / "mpl-data" / "fonts" / "ttf"


_FONTS = matplotlib_fonts()
STATIC_FILES = {
    "screen.js": _HERE / "static" / "screen.js",
    "screen.css": _HERE / "static" / "screen.css",
    # matplotlib ships DejaVu Sans, which has every Vietnamese letter: no font to vendor.
    "DejaVuSans.ttf": _FONTS / "DejaVuSans.ttf",
    "DejaVuSans-Bold.ttf": _FONTS / "DejaVuSans-Bold.ttf",
}
HEARTBEAT = 15.0
"""Seconds of silence before a comment line keeps proxies and the browser patient."""
RECONNECT_MS = 1000
"""What the stream tells EventSource to wait before reconnecting."""
DEFAULT_ROTATE, MIN_ROTATE, MAX_ROTATE = 20, 5, 600
PRIVATE_HEADERS = {
    "Cache-Control": "no-store",
    "Referrer-Policy": "no-referrer",
    "X-Robots-Tag": "noindex",
    "Content-Security-Policy": "default-src 'self'; img-src 'self' data:",
}

_templates = Environment(
    loader=FileSystemLoader(_HERE / "templates"),
    autoescape=select_autoescape(("html",)),
    trim_blocks=True,
    lstrip_blocks=True,
)
_t = Translator()  # the office wall speaks Vietnamese


def screen_routes() -> list[BaseRoute]:
    return [
        Route("/tv/static/{name}", static_file, methods=["GET"]),
        Route("/tv/{token}", page, methods=["GET", "HEAD"]),
        Route("/tv/{token}/events", events, methods=["GET"]),
    ]


def render_live(data: ScreenData, badges: tuple[MemberBadges, ...]) -> str:
    """The part of the page that changes: the boards and the side panel."""
    return _templates.get_template("live.html").render(
        t=_t,
        data=data,
        badges=badges,
        period_label=_short_label,
        plan_label=_plan_label,
        percent=wall_percent,
        no_percent=Percent(0, whole=True),  # a row without a target reads 0%
        updated=data.computed_at.astimezone(VIETNAM).strftime("%H:%M"),
    )


def wall_percent(achieved: int, target: int | None) -> Percent | None:
    """The completion as the one formatter writes it, whole (`tracker.percent`): a wall
    has no room for hundredths, as a chart label has not. None without a target."""
    return Percent.of(achieved, target, whole=True)


def render_event(data: ScreenData, badges: tuple[MemberBadges, ...]) -> bytes:
    """One server-sent event carrying the live part, as JSON on one `data:` line. It has
    no id: a page that reconnects gets the whole board anyway."""
    body = json.dumps({"html": render_live(data, badges)}, ensure_ascii=False)
    return f"event: board\ndata: {body}\n\n".encode()


def _plan_label(period: Period) -> str:
    """The side panel's narrower title: `tuần 48`, `Tháng 11/2026`."""
    if period.kind is not PeriodKind.WEEK:
        return period_label(_t, period)
    return _t("screen.page.week_short", number=period.first.isocalendar()[1])


def _short_label(period: Period) -> str:
    """A period as a TV title says it: a week without its year, which fits one line."""
    if period.kind is not PeriodKind.WEEK:
        return period_label(_t, period)
    return _t(
        "screen.page.week",
        number=period.first.isocalendar()[1],
        first=period.first.strftime("%d/%m"),
        last=period.last.strftime("%d/%m"),
    )


async def _open_screen(request: Request) -> Screen | None:
    token = request.path_params["token"]
    found = await request.app.state.services.repo.screen_by_token_hash(screen_token_hash(token))
    return None if found is None or found.revoked_at is not None else found


def _not_found() -> HTMLResponse:
    html = _templates.get_template("gone.html").render(t=_t)
    return HTMLResponse(html, status_code=404, headers=PRIVATE_HEADERS)


def _rotate_seconds(request: Request) -> int:
    given = request.query_params.get("xoay") or request.query_params.get("rotate") or ""
    seconds = int(given) if given.isdigit() else DEFAULT_ROTATE
    return max(MIN_ROTATE, min(MAX_ROTATE, seconds))


def _starting() -> Response:
    # The browser's EventSource gives up on a 503: the page's script tries again.
    return Response("starting", status_code=503, headers={"Retry-After": "2"})


async def page(request: Request) -> Response:
    hub: ScreenHub | None = request.app.state.screen_hub
    if hub is None:
        return _starting()
    screen = await _open_screen(request)
    if screen is None:
        return _not_found()
    unit = await request.app.state.services.repo.unit(screen.unit_id)
    event = await hub.current(unit)
    live = json.loads(event.split(b"data: ", 1)[1])["html"]
    kiosk = request.query_params.get("kiosk", "") not in ("", "0")
    html = _templates.get_template("screen.html").render(
        t=_t,
        unit=unit,
        live=live,
        kiosk=kiosk,
        rotate=_rotate_seconds(request),
        events_url=f"{request.url.path}/events",
        page_url=request.url.path,
    )
    return HTMLResponse(html, headers=PRIVATE_HEADERS)


async def events(request: Request) -> Response:
    hub: ScreenHub | None = request.app.state.screen_hub
    if hub is None:
        return _starting()
    screen = await _open_screen(request)
    if screen is None:
        return Response("not found", status_code=404, headers=PRIVATE_HEADERS)
    unit = await request.app.state.services.repo.unit(screen.unit_id)
    viewer = await hub.join(screen, unit)
    headers = {**PRIVATE_HEADERS, "X-Accel-Buffering": "no"}  # nginx: do not hold events
    return StreamingResponse(_stream(hub, viewer), media_type="text/event-stream", headers=headers)


async def _stream(hub: ScreenHub, viewer: Viewer) -> AsyncIterator[bytes]:
    try:
        yield f"retry: {RECONNECT_MS}\n\n".encode()
        while True:
            event = await viewer.next(HEARTBEAT)
            if event is not None:
                yield event
            if viewer.closed:
                return
            if event is None:
                yield b": ping\n\n"
    finally:
        hub.leave(viewer)


async def static_file(request: Request) -> Response:
    path = STATIC_FILES.get(request.path_params["name"])
    if path is None:
        return Response("not found", status_code=404)
    return FileResponse(path, headers={"Cache-Control": "public, max-age=86400"})
