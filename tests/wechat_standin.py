"""A loopback stand-in of WeChat's server API for the official account (and the mini-app
login), and the WeChat settings the end-to-end stack runs with.

- ``GET /cgi-bin/token``: an access token for the right AppID and secret (like WeChat: errcode
  40125 otherwise); ``expire_next`` makes the next customer-service call answer 42001.
- ``POST /cgi-bin/message/custom/send?access_token=``: records the message (raw UTF-8 JSON,
  as WeChat requires) for a valid token.
- ``GET /sns/jscode2session``: the mini-app login, as ``WeChatStandIn``.
"""

from __future__ import annotations

import json
import secrets
import threading
import time

from werkzeug.wrappers import Request, Response

from tests.platform_standins import WeChatStandIn

MINI_APP_ID, MINI_APP_SECRET = "wx-e2e-mini-app", "wx-e2e-mini-secret"
OFFICIAL_TOKEN = "e2e-wechat-token"
OFFICIAL_APP_ID = "wx-e2e-official"
OFFICIAL_SECRET = "wx-e2e-official-secret"
# 43 characters, as WeChat's console generates them.
ENCODING_AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"


class OfficialAccountStandIn(WeChatStandIn):
    def __init__(self) -> None:
        super().__init__(MINI_APP_ID, MINI_APP_SECRET)
        self.tokens: set[str] = set()
        self.token_fetches = 0
        self.expire_next = False
        self.sent: list[dict] = []
        self._sent_lock = threading.Condition()

    def handle(self, request: Request) -> Response:
        if request.path == "/cgi-bin/token" and request.method == "GET":
            args = request.args
            if (
                args.get("appid") != OFFICIAL_APP_ID
                or args.get("secret") != OFFICIAL_SECRET
                or args.get("grant_type") != "client_credential"
            ):
                return self._answer({"errcode": 40125, "errmsg": "invalid appsecret"})
            token = secrets.token_urlsafe(24)
            self.tokens.add(token)
            self.token_fetches += 1
            return self._answer({"access_token": token, "expires_in": 7200})
        if request.path == "/cgi-bin/message/custom/send" and request.method == "POST":
            if request.args.get("access_token") not in self.tokens:
                return self._answer({"errcode": 40001, "errmsg": "invalid credential"})
            if self.expire_next:
                self.expire_next = False
                self.tokens.clear()
                return self._answer({"errcode": 42001, "errmsg": "access_token expired"})
            raw = request.get_data()
            body = json.loads(raw.decode("utf-8"))
            with self._sent_lock:
                self.sent.append({**body, "raw_utf8": b"\\u" not in raw})
                self._sent_lock.notify_all()
            return self._answer({"errcode": 0, "errmsg": "ok"})
        return super().handle(request)

    def wait_for(self, openid: str, count: int = 1, timeout: float = 60.0) -> list[dict]:
        """The customer-service messages sent to ``openid``, once ``count`` have arrived."""
        deadline = time.monotonic() + timeout
        with self._sent_lock:
            while True:
                mine = [m for m in self.sent if m["touser"] == openid]
                if len(mine) >= count or time.monotonic() > deadline:
                    return mine
                self._sent_lock.wait(timeout=0.5)


_standin: OfficialAccountStandIn | None = None


def official_account() -> OfficialAccountStandIn:
    """The one stand-in of this test session (started on first use)."""
    global _standin
    if _standin is None:
        _standin = OfficialAccountStandIn().__enter__()
    return _standin


def stack_env() -> dict[str, str]:
    """The WeChat settings of the end-to-end stack: its Rasa's WeChat channel and its API's
    mini-app login both talk to the stand-in."""
    url = official_account().url
    return {
        "WECHAT_TOKEN": OFFICIAL_TOKEN,
        "WECHAT_APP_ID": OFFICIAL_APP_ID,
        "WECHAT_APP_SECRET": OFFICIAL_SECRET,
        "WECHAT_ENCODING_AES_KEY": ENCODING_AES_KEY,
        "WECHAT_API_BASE": url,
        "WECHAT_APPID": MINI_APP_ID,
        "WECHAT_SECRET": MINI_APP_SECRET,
    }
