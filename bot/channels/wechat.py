"""WeChat official-account push: a Rasa input channel (``bot.channels.wechat.WeChatInput``).

WeChat calls ``/webhooks/wechat/webhook``:

- ``GET``: URL verification. ``signature`` is SHA-1 of the sorted token, ``timestamp`` and
  ``nonce``; a match is answered with ``echostr``.
- ``POST``: a message, in plaintext (``signature``) or in AES safe mode (``encrypt_type=aes``,
  ``msg_signature`` over the ``Encrypt`` text too). The reply is WeChat's XML, encrypted in
  safe mode. Bad signatures and timestamps outside the window are refused (403); malformed,
  oversized or entity-laden XML too (400, 413).

WeChat waits 5 seconds for a reply and retries a message it got no answer to (same
``MsgId``). A message already seen is acknowledged (``success``) and not handled again. When
the bot has not answered within the reply deadline (counted from WeChat's own ``timestamp``),
the channel acknowledges at once and sends the answer through the customer-service message API.

The conversation is ``wechat:<openid>`` (the same citizen as the WeChat mini-app's login of that
openid). Settings: ``bot/credentials.yml`` keys, else the environment (``bot/settings.py``).
"""

from __future__ import annotations

import asyncio
import hashlib
import logging
import re
import secrets
import time
from dataclasses import dataclass
from typing import Any, Awaitable, Callable, Dict, List, Optional, Set, Text
from urllib.parse import quote

from citizen_common import identity
from citizen_common.language import INTERFACE_LANGUAGE_KEY
from citizen_common.settings import load
from rasa.core.channels.channel import (
    CollectingOutputChannel,
    InputChannel,
    OutputChannel,
    UserMessage,
)
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.settings import DEV_WECHAT_TOKEN, RasaSettings

from .edge import assert_conversation
from .wechat_api import WeChatApi, WeChatApiError
from .wechat_crypto import WeChatCrypto, WeChatCryptoError, signature_matches
from .wechat_memory import Memory, memory_from_url
from .wechat_xml import XmlRefused, encrypted_reply, parse_fields, text_reply

logger = logging.getLogger(__name__)
ACK = "success"  # WeChat: received, no passive reply (and no retry)
SENDER_PREFIX = "wechat:"
_OPENID = re.compile(r"^[A-Za-z0-9_\-]{1,64}$")
DEV_TOKEN = DEV_WECHAT_TOKEN
MENU_TTL_SECONDS = 1800


def _setting(
    credentials: Dict[Text, Any], key: Text, environment: Any, parse: Callable[[Text], Any] = str
) -> Any:
    """``credentials.yml``'s value when it gives one, else the environment's (``bot.settings``)."""
    value = credentials.get(key)
    return parse(str(value)) if value not in (None, "") else environment


@dataclass(frozen=True)
class WeChatSettings:
    token: str  # WECHAT_TOKEN: the account's server-configuration token
    app_id: str  # WECHAT_APP_ID: the official account's AppID (not the mini-program's)
    app_secret: str  # WECHAT_APP_SECRET
    encoding_aes_key: str  # WECHAT_ENCODING_AES_KEY: 43 characters; empty: plaintext only
    api_base: str  # WECHAT_API_BASE
    reply_deadline_seconds: float  # WECHAT_REPLY_DEADLINE_SECONDS, of WeChat's 5 s
    timestamp_window_seconds: int  # WECHAT_TIMESTAMP_WINDOW_SECONDS
    max_body_bytes: int  # WECHAT_MAX_BODY_BYTES
    lang: str  # WECHAT_LANG: the account's language, the replies' default when the citizen's
    # own writing has no letters (metadata interface_lang)
    memory_url: str  # WECHAT_MEMORY_URL: redis://... when several Rasa processes serve WeChat

    @classmethod
    def load(cls, credentials: Optional[Dict[Text, Any]]) -> "WeChatSettings":
        c = credentials or {}
        # Read now, not from the process's cache: a channel is made once, from the latest.
        env = load(RasaSettings)
        settings = cls(
            token=_setting(c, "token", env.wechat_token),
            app_id=_setting(c, "app_id", env.wechat_app_id),
            app_secret=_setting(c, "app_secret", env.wechat_app_secret),
            encoding_aes_key=_setting(c, "encoding_aes_key", env.wechat_encoding_aes_key),
            api_base=_setting(c, "api_base", env.wechat_api_base),
            reply_deadline_seconds=_setting(
                c, "reply_deadline_seconds", env.wechat_reply_deadline_seconds, float
            ),
            timestamp_window_seconds=_setting(
                c, "timestamp_window_seconds", env.wechat_timestamp_window_seconds, int
            ),
            max_body_bytes=_setting(c, "max_body_bytes", env.wechat_max_body_bytes, int),
            lang=_setting(c, "lang", env.wechat_lang),
            memory_url=_setting(c, "memory_url", env.wechat_memory_url),
        )
        if not settings.token.strip():
            raise ValueError("WECHAT_TOKEN is empty: anyone could sign WeChat's messages")
        if env.profile == "production" and settings.token == DEV_TOKEN:
            raise ValueError("WECHAT_TOKEN: the production profile refuses the development token")
        return settings


class WeChatOutput(OutputChannel):
    """Messages to a citizen outside a passive reply: WeChat's customer-service message API."""

    def __init__(self, api: WeChatApi, menus: Memory) -> None:
        self.api, self.menus = api, menus

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    async def send_text_message(self, recipient_id: Text, text: Text, **kwargs: Any) -> None:
        await self.api.send_text(_openid(recipient_id), text)

    async def send_text_with_buttons(
        self, recipient_id: Text, text: Text, buttons: List[Dict[Text, Any]], **kwargs: Any
    ) -> None:
        openid = _openid(recipient_id)
        await self.api.send_text(
            openid, await render_message({"text": text, "buttons": buttons}, openid, self.menus)
        )


async def render_message(message: Dict[Text, Any], openid: str, menus: Memory) -> str:
    """A bot message as WeChat text; each button a menu link (``weixin://bizmsgmenu``) whose
    tap sends its title back with ``bizmsgmenuid``, which the channel maps to the payload."""
    lines = [message["text"]] if message.get("text") else []
    for button in message.get("buttons") or []:
        title, payload = str(button.get("title", "")), str(button.get("payload", ""))
        if not title:
            continue
        menu_id = secrets.randbelow(10**9)
        await menus.put(f"menu:{openid}:{menu_id}", payload or title, MENU_TTL_SECONDS)
        lines.append(
            f'<a href="weixin://bizmsgmenu?msgmenucontent={quote(title)}'
            f'&msgmenuid={menu_id}">{title}</a>'
        )
    return "\n".join(lines)


def _openid(recipient_id: Text) -> str:
    return (
        recipient_id[len(SENDER_PREFIX) :]
        if recipient_id.startswith(SENDER_PREFIX)
        else recipient_id
    )


class WeChatInput(InputChannel):
    """The WeChat official account's server configuration URL: ``/webhooks/wechat/webhook``."""

    @classmethod
    def name(cls) -> Text:
        return "wechat"

    @classmethod
    def from_credentials(cls, credentials: Optional[Dict[Text, Any]]) -> InputChannel:
        return cls(WeChatSettings.load(credentials))

    def __init__(self, settings: WeChatSettings) -> None:
        self.settings = settings
        self.crypto = (
            WeChatCrypto(settings.token, settings.encoding_aes_key, settings.app_id)
            if settings.encoding_aes_key
            else None
        )
        self.api = WeChatApi(settings.api_base, settings.app_id, settings.app_secret)
        self.memory = memory_from_url(settings.memory_url)
        self._late: Set[asyncio.Task] = set()  # answers on their way through the message API

    def get_output_channel(self) -> Optional[OutputChannel]:
        return WeChatOutput(self.api, self.memory)

    # --- checks -------------------------------------------------------------------------
    def _fresh(self, timestamp: str) -> bool:
        try:
            return abs(time.time() - int(timestamp)) <= self.settings.timestamp_window_seconds
        except (TypeError, ValueError):
            return False

    def _signed(self, request: Request) -> bool:
        args = request.args
        parts = (self.settings.token, args.get("timestamp", ""), args.get("nonce", ""))
        return signature_matches(parts, args.get("signature"))

    def _remaining_budget(self, timestamp: str) -> float:
        """Seconds left for a passive reply: the deadline, less the time since WeChat sent."""
        elapsed = max(0.0, time.time() - int(timestamp))
        return self.settings.reply_deadline_seconds - elapsed

    # --- the message ------------------------------------------------------------------
    def _read(self, request: Request) -> Dict[str, str]:
        """The message's fields, decrypted in safe mode; raises ``_Refused``."""
        declared = request.headers.get("content-length")
        if (
            declared and declared.isdigit() and int(declared) > self.settings.max_body_bytes
        ) or len(request.body or b"") > self.settings.max_body_bytes:
            raise _Refused(413)
        try:
            fields = parse_fields(request.body or b"")
        except XmlRefused as refused:
            logger.warning("wechat: XML refused (%s)", refused)
            raise _Refused(400) from None
        if request.args.get("encrypt_type", "raw") != "aes":
            if self.crypto is not None:  # safe mode configured: plaintext is a forgery
                raise _Refused(400)
            return fields
        encrypted = fields.get("Encrypt")
        if self.crypto is None or not encrypted:
            raise _Refused(400)
        args = request.args
        expected = (
            self.settings.token,
            args.get("timestamp", ""),
            args.get("nonce", ""),
            encrypted,
        )
        if not signature_matches(expected, args.get("msg_signature")):
            raise _Refused(403)
        try:
            return parse_fields(self.crypto.decrypt(encrypted).encode("utf-8"))
        except (WeChatCryptoError, XmlRefused) as refused:
            logger.warning("wechat: encrypted message refused (%s)", refused)
            raise _Refused(400) from None

    async def _as_user_text(self, fields: Dict[str, str], openid: str) -> Optional[str]:
        """What the citizen said, or None for what the bot does not answer."""
        kind = fields.get("MsgType")
        if kind == "text":
            menu_id = fields.get("bizmsgmenuid")
            if menu_id:
                payload = await self.memory.get(f"menu:{openid}:{menu_id}")
                if payload:
                    return payload
            return fields.get("Content") or None
        if kind == "voice":  # WeChat's own speech recognition, when the account enables it
            return fields.get("Recognition") or None
        if kind == "event" and fields.get("Event") == "subscribe":
            return "/greet"
        return None

    async def _first_use(self, request: Request, fields: Dict[str, str]) -> bool:
        """False when this signed URL (timestamp and nonce) came before with another message:
        a captured URL replayed with a forged one (in plaintext mode the signature does not
        cover the body). The same message again is WeChat's retry, answered as a retry."""
        args = request.args
        message = "\x1f".join(
            fields.get(name, "")
            for name in ("FromUserName", "MsgId", "CreateTime", "MsgType", "Content", "Event")
        )
        digest = hashlib.sha256(message.encode("utf-8")).hexdigest()
        held = await self.memory.claim(
            f"nonce:{args.get('timestamp', '')}:{args.get('nonce', '')}",
            digest,
            ttl=2 * self.settings.timestamp_window_seconds,
        )
        return held is None or held == digest

    def _metadata(self, fields: Dict[str, str], openid: str) -> Dict[str, Any]:
        # The signature (and in safe mode the AES envelope) checked: this edge proves the openid.
        metadata: Dict[str, Any] = {
            "channel": "wechat",
            "msg_type": fields.get("MsgType"),
            identity.METADATA_KEY: assert_conversation(SENDER_PREFIX + openid, "wechat"),
        }
        if self.settings.lang:
            # The account's language is a default: a citizen who writes English gets English.
            metadata[INTERFACE_LANGUAGE_KEY] = self.settings.lang
        return metadata

    def _reply(self, request: Request, xml: str) -> HTTPResponse:
        """The passive reply, encrypted (and signed) in safe mode."""
        if request.args.get("encrypt_type", "raw") != "aes":
            return response.text(xml, content_type="application/xml; charset=utf-8")
        timestamp, nonce = str(int(time.time())), secrets.token_hex(8)
        encrypted = self.crypto.encrypt(xml)
        signed = self.crypto.message_signature(timestamp, nonce, encrypted)
        return response.text(
            encrypted_reply(encrypted, signed, timestamp, nonce),
            content_type="application/xml; charset=utf-8",
        )

    async def _send_late(self, openid: str, messages: List[Dict[Text, Any]]) -> None:
        for message in messages:
            text = await render_message(message, openid, self.memory)
            if not text:
                continue
            try:
                await self.api.send_text(openid, text)
            except (WeChatApiError, OSError, asyncio.TimeoutError) as error:
                logger.error(
                    "wechat: customer-service message to %s… failed: %s", openid[:6], error
                )
                return

    def _answer_late(
        self, openid: str, handling: asyncio.Future, collector: CollectingOutputChannel
    ) -> None:
        async def deliver() -> None:
            try:
                await handling
            except Exception:
                logger.exception("wechat: handling a message failed")
                return
            await self._send_late(openid, collector.messages)

        task = asyncio.ensure_future(deliver())
        self._late.add(task)
        task.add_done_callback(self._late.discard)

    async def _receive(
        self, request: Request, on_new_message: Callable[[UserMessage], Awaitable[Any]]
    ) -> HTTPResponse:
        timestamp = request.args.get("timestamp", "")
        if not self._signed(request) or not self._fresh(timestamp):
            return response.text("forbidden", status=403)
        try:
            fields = self._read(request)
        except _Refused as refused:
            return response.text("refused", status=refused.status)
        if not await self._first_use(request, fields):
            return response.text("forbidden", status=403)
        openid = fields.get("FromUserName", "")
        if not _OPENID.match(openid):
            return response.text("refused", status=400)
        key = fields.get("MsgId") or f"{openid}:{fields.get('CreateTime')}:{fields.get('Event')}"
        if not await self.memory.first(f"seen:{key}", ttl=self.settings.timestamp_window_seconds):
            logger.info("wechat: message %s seen before (a retry): acknowledged", key)
            return response.text(ACK)
        text = await self._as_user_text(fields, openid)
        if text is None:
            return response.text(ACK)
        collector = CollectingOutputChannel()
        message = UserMessage(
            text,
            collector,
            SENDER_PREFIX + openid,
            input_channel=self.name(),
            message_id=fields.get("MsgId"),
            metadata=self._metadata(fields, openid),
        )
        handling = asyncio.ensure_future(on_new_message(message))
        done, _ = await asyncio.wait(
            {handling}, timeout=max(0.0, self._remaining_budget(timestamp))
        )
        if handling not in done:
            self._answer_late(openid, handling, collector)
            return response.text(ACK)
        if handling.exception() is not None:
            logger.error("wechat: handling a message failed: %r", handling.exception())
            return response.text(ACK)
        texts = [await render_message(m, openid, self.memory) for m in collector.messages]
        content = "\n\n".join(t for t in texts if t)
        if not content:  # nothing to say (a paused conversation, a handoff)
            return response.text(ACK)
        reply = text_reply(openid, fields.get("ToUserName", ""), int(time.time()), content)
        return self._reply(request, reply)

    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        webhook = Blueprint("wechat_webhook", __name__)

        @webhook.route("/", methods=["GET"])
        async def health(request: Request) -> HTTPResponse:
            return response.json({"status": "ok"})

        @webhook.route("/webhook", methods=["GET"])
        async def verify(request: Request) -> HTTPResponse:
            if not self._signed(request) or not self._fresh(request.args.get("timestamp", "")):
                return response.text("forbidden", status=403)
            return response.text(request.args.get("echostr", ""))

        @webhook.route("/webhook", methods=["POST"])
        async def receive(request: Request) -> HTTPResponse:
            return await self._receive(request, on_new_message)

        return webhook


class _Refused(Exception):
    def __init__(self, status: int) -> None:
        super().__init__(status)
        self.status = status
