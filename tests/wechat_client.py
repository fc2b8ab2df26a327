"""WeChat's side of the official-account push, played with ``wechatpy``: it signs, encrypts
and parses, as WeChat's servers would, independently of the channel's own code."""

from __future__ import annotations

import re
import secrets
import time

import requests
from wechatpy import parse_message
from wechatpy.crypto import WeChatCrypto
from wechatpy.utils import WeChatSigner

from tests.wechat_standin import ENCODING_AES_KEY, OFFICIAL_APP_ID, OFFICIAL_TOKEN

ACCOUNT = "gh_e2e_citizen"  # the official account's original id (ToUserName)


def sign(*parts: str) -> str:
    signer = WeChatSigner()
    signer.add_data(*parts)
    return signer.signature


def text_message(
    openid: str, content: str, msg_id: int | None = None, menu_id: str | None = None
) -> str:
    menu = f"<bizmsgmenuid>{menu_id}</bizmsgmenuid>" if menu_id else ""
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[text]]></MsgType>"
        f"<Content><![CDATA[{content}]]></Content>"
        f"<MsgId>{msg_id or secrets.randbelow(10**18)}</MsgId>{menu}</xml>"
    )


def subscribe_event(openid: str) -> str:
    return (
        f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
        f"<FromUserName><![CDATA[{openid}]]></FromUserName>"
        f"<CreateTime>{int(time.time())}</CreateTime><MsgType><![CDATA[event]]></MsgType>"
        f"<Event><![CDATA[subscribe]]></Event></xml>"
    )


class WeChatServer:
    """Posts messages to the channel's URL as WeChat does, in plaintext or safe mode."""

    def __init__(
        self,
        rasa_url: str,
        token: str = OFFICIAL_TOKEN,
        aes_key: str = ENCODING_AES_KEY,
        app_id: str = OFFICIAL_APP_ID,
    ) -> None:
        self.url = f"{rasa_url}/webhooks/wechat/webhook"
        self.token = token
        self.crypto = WeChatCrypto(token, aes_key, app_id)

    def query(self, timestamp: int | None = None, signature: str | None = None) -> dict:
        timestamp = str(int(time.time()) if timestamp is None else timestamp)
        nonce = secrets.token_hex(5)
        return {
            "timestamp": timestamp,
            "nonce": nonce,
            "signature": signature or sign(self.token, timestamp, nonce),
            "openid": "ignored-by-the-channel",
        }

    def verify(self, echostr: str, **query_overrides) -> requests.Response:
        return requests.get(
            self.url, params={**self.query(), "echostr": echostr, **query_overrides}, timeout=30
        )

    def post_plain(
        self, xml: str | bytes, timestamp: int | None = None, signature: str | None = None
    ) -> requests.Response:
        body = xml.encode("utf-8") if isinstance(xml, str) else xml
        return requests.post(
            self.url,
            params=self.query(timestamp, signature),
            data=body,
            headers={"Content-Type": "text/xml"},
            timeout=60,
        )

    def post_encrypted(
        self,
        xml: str,
        timestamp: int | None = None,
        tamper_signature: bool = False,
        query: dict | None = None,
    ) -> tuple[requests.Response, dict]:
        query = {**(query or self.query(timestamp)), "encrypt_type": "aes"}
        envelope = self.crypto.encrypt_message(xml, query["nonce"], int(query["timestamp"]))
        msg_signature = re.search(r"<MsgSignature><!\[CDATA\[(\w+)\]\]>", envelope).group(1)
        if tamper_signature:
            msg_signature = sign("someone-else", query["timestamp"], query["nonce"])
        # WeChat sends the encrypted body with ToUserName and Encrypt; msg_signature in the URL.
        encrypt = re.search(r"<Encrypt><!\[CDATA\[(.*?)\]\]>", envelope, re.S).group(1)
        body = (
            f"<xml><ToUserName><![CDATA[{ACCOUNT}]]></ToUserName>"
            f"<Encrypt><![CDATA[{encrypt}]]></Encrypt></xml>"
        )
        response = requests.post(
            self.url,
            params={**query, "msg_signature": msg_signature},
            data=body.encode(),
            headers={"Content-Type": "text/xml"},
            timeout=60,
        )
        return response, query

    def say(self, xml: str, timestamp: int | None = None):
        """A message in safe mode (the stack configures an AES key, so WeChat sends every
        message encrypted); the channel's reply, decrypted."""
        response, _ = self.post_encrypted(xml, timestamp)
        assert response.status_code == 200, response.text
        assert response.text.startswith("<xml>"), response.text  # not just an acknowledgement
        return self.decrypt_reply(response)

    def decrypt_reply(self, response: requests.Response):
        """The channel's encrypted reply, its signature checked and decrypted by wechatpy."""
        text = response.text
        signature = re.search(r"<MsgSignature><!\[CDATA\[(\w+)\]\]>", text).group(1)
        timestamp = re.search(r"<TimeStamp>(\d+)</TimeStamp>", text).group(1)
        nonce = re.search(r"<Nonce><!\[CDATA\[(.*?)\]\]>", text).group(1)
        return parse_message(self.crypto.decrypt_message(text, signature, timestamp, nonce))


def parse_reply(response: requests.Response):
    assert response.status_code == 200, response.text
    assert response.text.startswith("<xml>"), response.text  # not just an acknowledgement
    return parse_message(response.text)
