"""The WeChat channel's signing, AES safe mode and XML reader, checked against wechatpy (an
independent implementation of WeChat's scheme)."""

from __future__ import annotations

import base64

import pytest
from wechatpy import parse_message
from wechatpy.crypto import PrpCrypto
from wechatpy.crypto import WeChatCrypto as WechatpyCrypto
from wechatpy.utils import WeChatSigner

from bot.channels.wechat_crypto import (
    WeChatCrypto,
    WeChatCryptoError,
    pkcs7_pad,
    pkcs7_unpad,
    signature,
    signature_matches,
)
from bot.channels.wechat_xml import XmlRefused, cdata, encrypted_reply, parse_fields, text_reply

TOKEN, APP_ID = "test-token", "wx1234567890abcdef"
AES_KEY = "kWxPEV2UEDyxWpmPdKC3F4dgPDmOvfKX1HGnEUDS1aR"
MESSAGE = (
    "<xml><ToUserName><![CDATA[gh_1]]></ToUserName><FromUserName><![CDATA[o-abc]]>"
    "</FromUserName><CreateTime>1700000000</CreateTime><MsgType><![CDATA[text]]></MsgType>"
    "<Content><![CDATA[今天空气怎么样 & <tags>]]></Content><MsgId>42</MsgId></xml>"
)


def test_signature_is_wechats():
    signer = WeChatSigner()
    signer.add_data(TOKEN, "1700000000", "nonce")
    assert signature(TOKEN, "1700000000", "nonce") == signer.signature
    assert signature_matches((TOKEN, "1700000000", "nonce"), signer.signature.upper())
    assert not signature_matches((TOKEN, "1700000001", "nonce"), signer.signature)
    assert not signature_matches((TOKEN, "1700000000", "nonce"), None)


def test_our_encryption_decrypts_with_wechatpy():
    ours = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    encrypted = ours.encrypt(MESSAGE)
    key = base64.b64decode(AES_KEY + "=")
    assert PrpCrypto(key).decrypt(encrypted, APP_ID) == MESSAGE
    envelope = encrypted_reply(
        encrypted, ours.message_signature("1700000000", "n1", encrypted), "1700000000", "n1"
    )
    theirs = WechatpyCrypto(TOKEN, AES_KEY, APP_ID)
    assert (
        theirs.decrypt_message(
            envelope, ours.message_signature("1700000000", "n1", encrypted), "1700000000", "n1"
        )
        == MESSAGE
    )


def test_wechatpy_encryption_decrypts_with_ours():
    theirs = WechatpyCrypto(TOKEN, AES_KEY, APP_ID)
    envelope = theirs.encrypt_message(MESSAGE, "nonce-1", 1700000000)
    encrypted = parse_fields(envelope.encode())["Encrypt"]
    ours = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    assert ours.decrypt(encrypted) == MESSAGE
    assert parse_fields(envelope.encode())["MsgSignature"] == ours.message_signature(
        "1700000000", "nonce-1", encrypted
    )


def test_a_message_for_another_app_or_tampered_is_refused():
    other = WechatpyCrypto(TOKEN, AES_KEY, "wx-another-app")
    encrypted = parse_fields(other.encrypt_message(MESSAGE, "n", 1700000000).encode())["Encrypt"]
    ours = WeChatCrypto(TOKEN, AES_KEY, APP_ID)
    with pytest.raises(WeChatCryptoError):
        ours.decrypt(encrypted)
    good = ours.encrypt(MESSAGE)
    flipped = base64.b64decode(good)
    flipped = flipped[:-1] + bytes([flipped[-1] ^ 1])
    for bad in (base64.b64encode(flipped).decode(), "not base64!", "", good[:-4]):
        with pytest.raises(WeChatCryptoError):
            ours.decrypt(bad)


def test_pkcs7_pads_to_32_bytes():
    for length in (0, 1, 31, 32, 33, 64):
        padded = pkcs7_pad(b"x" * length)
        assert len(padded) % 32 == 0 and len(padded) > length
        assert pkcs7_unpad(padded) == b"x" * length
    assert pkcs7_pad(b"x" * 32)[-1] == 32  # a whole block of padding, as WeChat does
    for bad in (b"x" * 31 + b"\x00", b"x" * 30 + b"\x02\x03", b"x" * 31 + b"\x21"):
        with pytest.raises(WeChatCryptoError):
            pkcs7_unpad(bad)


def test_the_aes_key_must_be_wechats_shape():
    with pytest.raises(ValueError):
        WeChatCrypto(TOKEN, AES_KEY[:-1], APP_ID)
    with pytest.raises(ValueError):
        WeChatCrypto(TOKEN, "!" * 43, APP_ID)


def test_fields_of_a_message():
    fields = parse_fields(MESSAGE.encode())
    assert fields["Content"] == "今天空气怎么样 & <tags>"
    assert fields["MsgId"] == "42" and fields["FromUserName"] == "o-abc"
    event = parse_fields(
        b"<xml><Event>scancode_push</Event><ScanCodeInfo><ScanType>qrcode"
        b"</ScanType></ScanCodeInfo></xml>"
    )
    assert event["Event"] == "scancode_push" and "ScanType" not in event


@pytest.mark.parametrize(
    "body",
    [
        b"",
        b"<xml><a>1</a>",
        b"not xml at all",
        b"<notxml><a>1</a></notxml>",
        b"<xml><a>&undefined;</a></xml>",
        # billion laughs
        b'<?xml version="1.0"?><!DOCTYPE lolz [<!ENTITY lol "lol"><!ENTITY lol2 "&lol;&lol;&lol;">]>'
        b"<xml><Content>&lol2;</Content></xml>",
        # external entity (XXE)
        b'<?xml version="1.0"?><!DOCTYPE x [<!ENTITY xxe SYSTEM "file:///etc/passwd">]>'
        b"<xml><Content>&xxe;</Content></xml>",
        b'<!DOCTYPE xml SYSTEM "http://127.0.0.1:9/dtd"><xml><a>1</a></xml>',
        b"<xml>" + b"<F>x</F>" * 65 + b"</xml>",
        b"<xml><Content>" + b"x" * 20000 + b"</Content></xml>",
    ],
)
def test_malformed_and_hostile_xml_is_refused(body):
    with pytest.raises(XmlRefused):
        parse_fields(body)


def test_replies_parse_with_wechatpy_whatever_the_text():
    text = '第一行\n<a href="weixin://bizmsgmenu?msgmenucontent=x&msgmenuid=1">x</a> ]]> end'
    reply = parse_message(text_reply("o-abc", "gh_1", 1700000000, text))
    assert reply.type == "text" and reply.content == text
    assert reply.source == "gh_1" and reply.target == "o-abc"
    assert cdata("a]]>b") == "<![CDATA[a]]]]><![CDATA[>b]]>"
