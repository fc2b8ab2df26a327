"""WeChat's server API, as the official-account channel uses it: the access token and the
customer-service message, for replies that miss the 5-second window of a passive reply.

The access token is fetched once and cached until shortly before it expires (WeChat allows a
few thousand fetches a day per account); a token WeChat no longer accepts is refreshed once.
"""

from __future__ import annotations

import asyncio
import json
import logging
import time
from typing import Any, Optional

import aiohttp

logger = logging.getLogger(__name__)
TOKEN_MARGIN_SECONDS = 300
# invalid credential, invalid access token, access token expired
STALE_TOKEN_ERRCODES = {40001, 40014, 42001}


class WeChatApiError(Exception):
    def __init__(self, errcode: int, errmsg: str) -> None:
        super().__init__(f"WeChat API error {errcode}: {errmsg}")
        self.errcode = errcode


class WeChatApi:
    def __init__(
        self, api_base: str, app_id: str, app_secret: str, timeout_seconds: float = 5.0
    ) -> None:
        self.api_base = api_base.rstrip("/")
        self.app_id, self.app_secret = app_id, app_secret
        self.timeout = aiohttp.ClientTimeout(total=timeout_seconds)
        self._token: Optional[str] = None
        self._token_expires = 0.0
        self._lock: Optional[asyncio.Lock] = None
        self._session: Optional[aiohttp.ClientSession] = None

    def _client(self) -> aiohttp.ClientSession:
        # Created inside the server's event loop, on first use.
        if self._session is None or self._session.closed:
            self._session = aiohttp.ClientSession(timeout=self.timeout)
        return self._session

    async def close(self) -> None:
        if self._session is not None:
            await self._session.close()

    async def access_token(self, refresh: bool = False) -> str:
        if self._lock is None:
            self._lock = asyncio.Lock()
        async with self._lock:
            if refresh or not self._token or time.monotonic() >= self._token_expires:
                answer = await self._call(
                    "GET",
                    "/cgi-bin/token",
                    params={
                        "grant_type": "client_credential",
                        "appid": self.app_id,
                        "secret": self.app_secret,
                    },
                )
                self._token = str(answer["access_token"])
                lifetime = int(answer.get("expires_in", 7200))
                self._token_expires = time.monotonic() + max(60, lifetime - TOKEN_MARGIN_SECONDS)
            return self._token

    async def send_text(self, openid: str, content: str) -> None:
        """A customer-service text message to ``openid`` (within 48 h of their last message)."""
        body = {"touser": openid, "msgtype": "text", "text": {"content": content}}
        for attempt in (1, 2):
            token = await self.access_token(refresh=attempt == 2)
            try:
                await self._call(
                    "POST",
                    "/cgi-bin/message/custom/send",
                    params={"access_token": token},
                    body=body,
                )
                return
            except WeChatApiError as error:
                if error.errcode not in STALE_TOKEN_ERRCODES or attempt == 2:
                    raise

    async def _call(
        self, method: str, path: str, params: dict[str, str], body: Optional[dict] = None
    ) -> dict[str, Any]:
        # WeChat shows \uXXXX escapes literally: the body must be raw UTF-8.
        data = json.dumps(body, ensure_ascii=False).encode("utf-8") if body is not None else None
        headers = {"Content-Type": "application/json; charset=utf-8"} if data else None
        async with self._client().request(
            method, self.api_base + path, params=params, data=data, headers=headers
        ) as response:
            text = await response.text(encoding="utf-8")
        try:
            answer = json.loads(text)
        except ValueError:
            raise WeChatApiError(-1, f"HTTP {response.status}, not JSON") from None
        if not isinstance(answer, dict):
            raise WeChatApiError(-1, "not an object")
        if answer.get("errcode"):
            raise WeChatApiError(int(answer["errcode"]), str(answer.get("errmsg", "")))
        return answer
