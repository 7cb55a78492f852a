"""Issue 11, personal data at rest: a participant's code (10-digit BHXH code, 12-digit
CCCD) is kept in clear nowhere: not in the free text the bot stores, not in any log the
shipped Kannel configuration writes, where the get-url `secret=` never appears either."""

from __future__ import annotations

import os
from pathlib import Path

import httpx
import pytest

from channels.http import build_http_app
from commands.context import Services
from settings import Settings
from tests.support.db import dump, rows
from tests.support.kannel import KannelGateway, kannel_available, serve_asgi
from tests.support.kannel_conf import SHIPPED, groups, shipped_log_options
from tests.support.members import say

LAN, LEAD = "0912000001", "0913000001"
CODE10, CCCD = "0123456789", "036090001234"
SECRET = "inbound-S3cret_77"
PARTICIPANT_SECRET = "participants-secret"


async def test_a_code_in_a_rejection_reason_is_stored_and_told_masked(
    services: Services, tmp_path: Path
) -> None:
    await say(services, LAN, "/ghi TN 1")
    rejected = await say(services, LEAD, f"/tuchoi 1 trùng mã {CODE10} và CCCD {CCCD}")
    told = rejected.direct_messages
    reason = "trùng mã *******789 và CCCD *********234"
    assert rows(tmp_path, "SELECT state, state_reason FROM entries") == [("rejected", reason)]
    assert rows(tmp_path, "SELECT after FROM audit_log") == [(f"rejected: {reason}",)]
    assert [message.params["reason"] for message in told] == [reason]
    everything = dump(tmp_path)
    assert CODE10 not in everything and CCCD not in everything


async def test_a_code_in_an_initiative_is_stored_masked(services: Services, tmp_path: Path) -> None:
    text = (await say(services, LEAD, f"/sangkien {LAN} vận động hộ ông A (mã {CODE10})")).text
    assert text == "✅ Đã ghi sáng kiến năm 2026 cho Nguyễn Thị Lan."
    assert rows(tmp_path, "SELECT note FROM initiatives") == [
        ("vận động hộ ông A (mã *******789)",)
    ]
    assert CODE10 not in dump(tmp_path)


def test_the_shipped_kannel_config_logs_no_text_and_no_secret() -> None:
    """What Kannel 1.4.5 logs (gw/bb_alog.c, checked with the harness below): texts only
    through the access-log escapes %a %b %k %s %S %r; smsbox's access log always holds
    the get-url whole; levels below 1 dump messages, and smsbox logs texts at 1."""
    shipped = dict(groups(SHIPPED))
    core, smsbox = shipped["core"], shipped["smsbox"]
    text_escapes = ("%a", "%b", "%k", "%s", "%S", "%r", "%p", "%P", "%u")
    assert not [escape for escape in text_escapes if escape in core["access-log-format"]]
    assert core["access-log-clean"] == "true"
    assert int(core["log-level"]) >= 1
    assert "access-log" not in smsbox and int(smsbox["log-level"]) >= 2
    assert shipped_log_options()["smsc"]["log-level"] == 1


async def test_a_code_sent_by_sms_reaches_no_kannel_log(services: Services, tmp_path: Path) -> None:
    """The shipped log settings on the real Kannel, started as deploy/kannel.conf asks
    (umask 027): a code logged by SMS (GSM-7 and UCS-2) and one in a pushed SMS appear in
    none of the files Kannel writes, in clear or as the hex it logs UCS-2 in, and
    neither does the secret; every log file is 0640."""
    if not kannel_available():
        if os.environ.get("CI"):
            pytest.fail("Kannel is not installed but CI is set", pytrace=False)
        pytest.skip("Kannel is not installed: bash scripts/install-kannel.sh")
    services.repo.use_participant_secret(PARTICIPANT_SECRET)
    app = build_http_app(services, Settings(sms_inbound_secret=SECRET))
    async with serve_asgi(app) as url:
        template = f"{url}/sms/inbound?from=%p&to=%P&text=%a&id=%I&ts=%t&secret={SECRET}"
        gateway = KannelGateway(
            get_url_template=template,
            tmp_path=tmp_path,
            log_options=shipped_log_options(),
            umask=0o027,
        )
        async with gateway as gw:
            await gw.inject_mo("84912000001", f"TN 1 ma={CODE10} ky=12")
            first = await gw.wait_mt(to="84912000001")
            await gw.inject_mo("84912000001", f"YT 1 mã {CCCD} kỳ 6")  # UCS-2
            second = await gw.wait_mt(to="84912000001")
            async with httpx.AsyncClient(trust_env=False) as client:
                pushed = await client.get(
                    gw.sendsms_url,
                    params={
                        "username": gw.sendsms_user,
                        "password": gw.sendsms_password,
                        "to": "84912000002",
                        "text": f"Nhac: ho {CODE10} sap den han",
                        "charset": "UTF-8",
                    },
                )
            assert pushed.status_code == 202
            await gw.wait_mt(to="84912000002")
    assert first.text.startswith("Da ghi 1 TN") and second.text.startswith("Da ghi 1 YT")
    assert rows(tmp_path, "SELECT count(*) FROM entries") == [(2,)]
    forbidden = {SECRET, CODE10, CCCD}
    forbidden |= {code.encode("utf-16-be").hex() for code in (CODE10, CCCD)}
    forbidden |= {word.upper() for word in forbidden}
    logs = [path for path in gateway.directory.iterdir() if path.name != "kannel.conf"]
    assert {path.name for path in logs} >= {"bearerbox.log", "bearerbox-access.log"}
    for path in logs:
        content = path.read_text(encoding="utf-8", errors="replace")
        assert not [word for word in forbidden if word in content], path.name
        if path.suffix == ".log":
            assert path.stat().st_mode & 0o777 == 0o640, path.name
    access = (gateway.directory / "bearerbox-access.log").read_text()
    assert access.count("Receive SMS [SMSC:sink]") == 2 and "[length:" in access
