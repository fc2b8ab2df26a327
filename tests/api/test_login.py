"""Mini-app login against local stand-ins of WeChat and Alipay, and the session token's checks."""

from __future__ import annotations

import base64
import logging
from datetime import datetime, timedelta
from urllib.parse import parse_qsl

import jwt
import pytest
from alipay import AliPay

from miniapp_api import auth
from miniapp_api.auth import issue_session_token
from miniapp_api.citizens import platforms
from miniapp_api.citizens.alipay_signing import sign_rsa2, signing_string, verify_rsa2
from tests.platform_keys import Keys, bare, pem_public
from tests.platform_standins import AlipayStandIn, WeChatStandIn, unused_loopback_url

WECHAT_APPID, WECHAT_SECRET = "wx-test-appid", "wx-test-secret-do-not-log"
ALIPAY_APP_ID = "2021000000012345"
OPENID = "o6_bmjrPTlm6_2sgVt7hMZOPfL2M"
ALIPAY_USER_ID = "2088102150477652"


# --- keys and stand-ins -----------------------------------------------------------------------


@pytest.fixture(scope="module")
def keys() -> Keys:
    return Keys()


@pytest.fixture
def wechat():
    with WeChatStandIn(WECHAT_APPID, WECHAT_SECRET, {"good-code": OPENID}) as standin:
        yield standin


@pytest.fixture
def alipay(keys):
    codes = {"auth-good": ALIPAY_USER_ID}
    with AlipayStandIn(ALIPAY_APP_ID, keys.app_public, keys.alipay_private, codes) as standin:
        yield standin


@pytest.fixture
def platform_settings(keys, wechat, alipay) -> dict:
    """Settings pointing at the stand-ins; the Alipay public key as bare base64, as handed out."""
    return {
        "WECHAT_APPID": WECHAT_APPID,
        "WECHAT_SECRET": WECHAT_SECRET,
        "WECHAT_API_BASE": wechat.url,
        "ALIPAY_APP_ID": ALIPAY_APP_ID,
        "ALIPAY_GATEWAY": alipay.gateway_url,
        "ALIPAY_APP_PRIVATE_KEY": keys.app_private_pkcs1,
        "ALIPAY_PUBLIC_KEY": bare(keys.alipay_public),
        "PLATFORM_TIMEOUT_SECONDS": 2.0,
        "LOGIN_RATE_LIMIT": "1000 per minute",
    }


@pytest.fixture
def app(app_factory, platform_settings):
    yield app_factory(**platform_settings)
    platforms._session.close()  # no pooled sockets left open towards stopped stand-ins


def login(client, platform: str, code: str):
    return client.post("/api/v1/auth/login", json={"platform": platform, "code": code})


def assert_error(response, status: int, errcode: int) -> None:
    assert response.status_code == status, response.get_data(as_text=True)
    body = response.get_json()
    assert body["errcode"] == errcode
    assert isinstance(body["errmsg"], str) and body["errmsg"]


def bearer(token: str) -> dict:
    return {"Authorization": f"Bearer {token}"}


# --- WeChat -----------------------------------------------------------------------------------


def test_wechat_login_then_me(client, wechat):
    response = login(client, "wechat", "good-code")
    assert response.status_code == 200, response.get_data(as_text=True)
    session = response.get_json()["data"]
    assert session["token"] and session["expires_at"]
    me = client.get("/api/v1/me", headers=bearer(session["token"]))
    assert me.status_code == 200
    profile = me.get_json()["data"]
    assert profile["id"] == session["citizen_id"]
    assert {"channel": "wechat", "external_id": OPENID} in profile["identities"]
    (call,) = wechat.calls
    assert call == {
        "appid": WECHAT_APPID,
        "secret": WECHAT_SECRET,
        "js_code": "good-code",
        "grant_type": "authorization_code",
    }


def test_same_openid_same_citizen(client, wechat):
    first = login(client, "wechat", "good-code").get_json()["data"]
    wechat.codes["second-code"] = OPENID
    second = login(client, "wechat", "second-code").get_json()["data"]
    assert second["citizen_id"] == first["citizen_id"]
    assert second["token"] != first["token"] or second["expires_at"] != first["expires_at"]


def test_wechat_bad_code(client):
    assert_error(login(client, "wechat", "no-such-code"), 401, 40103)


def test_wechat_reused_code(client):
    assert login(client, "wechat", "good-code").status_code == 200
    assert_error(login(client, "wechat", "good-code"), 401, 40103)


@pytest.mark.parametrize("mode", ["down", "busy", "rate_limited", "not_json", "slow"])
def test_wechat_unavailable(client, app, wechat, mode):
    wechat.mode = mode
    app.config["PLATFORM_TIMEOUT_SECONDS"] = 0.3
    assert_error(login(client, "wechat", "good-code"), 502, 50200)


def test_wechat_connection_refused(client, app):
    app.config["WECHAT_API_BASE"] = unused_loopback_url()
    assert_error(login(client, "wechat", "good-code"), 502, 50200)


def test_wechat_wrong_secret_is_not_the_citizens_fault(client, app):
    app.config["WECHAT_SECRET"] = "rotated-secret"
    assert_error(login(client, "wechat", "good-code"), 502, 50200)


def test_no_secret_in_logs(client, app, wechat, caplog):
    caplog.set_level(logging.INFO)
    caplog.set_level(logging.DEBUG, logger="miniapp_api")
    for mode in ("ok", "busy", "down"):
        wechat.mode = mode
        login(client, "wechat", "good-code")
    app.config["WECHAT_API_BASE"] = unused_loopback_url()
    login(client, "wechat", "good-code")
    assert "platform unavailable" in caplog.text
    assert WECHAT_SECRET not in caplog.text
    assert "c2Vzc2lvbi1rZXktc2VjcmV0" not in caplog.text  # the stand-in's session_key


# --- Alipay -----------------------------------------------------------------------------------


def test_alipay_login(client, alipay):
    response = login(client, "alipay", "auth-good")
    assert response.status_code == 200, response.get_data(as_text=True)
    token = response.get_json()["data"]["token"]
    (seen,) = alipay.seen
    assert seen.signature_valid  # judged by python-alipay-sdk
    assert seen.params["method"] == "alipay.system.oauth.token"
    assert seen.params["code"] == "auth-good"
    assert seen.params["charset"] == "utf-8" and seen.params["sign_type"] == "RSA2"
    me = client.get("/api/v1/me", headers=bearer(token)).get_json()["data"]
    assert {"channel": "alipay", "external_id": ALIPAY_USER_ID} in me["identities"]


def test_alipay_open_id(client, alipay):
    alipay.answer_open_id = True
    alipay.codes["auth-open"] = "074a1CcTG1LelxKe4xQC0zgNdId0nxi95b5lsNpazWYoCo5"
    response = login(client, "alipay", "auth-open")
    assert response.status_code == 200, response.get_data(as_text=True)


@pytest.mark.parametrize("private_key", ["pkcs8", "bare_pkcs8"])
def test_alipay_login_with_other_key_formats(client, app, alipay, keys, private_key):
    pem = keys.app_private_pkcs8
    app.config["ALIPAY_APP_PRIVATE_KEY"] = pem if private_key == "pkcs8" else bare(pem)
    app.config["ALIPAY_PUBLIC_KEY"] = keys.alipay_public
    assert login(client, "alipay", "auth-good").status_code == 200


def test_alipay_bad_code(client, alipay):
    assert_error(login(client, "alipay", "auth-unknown"), 401, 40103)
    assert alipay.seen[0].signature_valid


def test_alipay_reused_code(client):
    assert login(client, "alipay", "auth-good").status_code == 200
    assert_error(login(client, "alipay", "auth-good"), 401, 40103)


@pytest.mark.parametrize("mode", ["tampered", "unsigned"])
def test_alipay_response_signature_must_verify(client, alipay, mode):
    alipay.mode = mode
    assert_error(login(client, "alipay", "auth-good"), 502, 50200)
    assert_error(login(client, "alipay", "auth-unknown"), 502, 50200)


def test_alipay_response_signed_by_someone_else(client, app, keys):
    app.config["ALIPAY_PUBLIC_KEY"] = pem_public(keys.stranger)
    assert_error(login(client, "alipay", "auth-good"), 502, 50200)


def test_alipay_refuses_our_signature(client, app, alipay, keys):
    app.config["ALIPAY_APP_PRIVATE_KEY"] = keys.stranger_private
    assert_error(login(client, "alipay", "auth-good"), 502, 50200)
    assert not alipay.seen[0].signature_valid


@pytest.mark.parametrize("mode", ["down", "not_json", "slow", "refused"])
def test_alipay_unavailable(client, app, alipay, mode):
    if mode == "refused":
        app.config["ALIPAY_GATEWAY"] = unused_loopback_url() + "/gateway.do"
    alipay.mode = mode
    app.config["PLATFORM_TIMEOUT_SECONDS"] = 0.3
    assert_error(login(client, "alipay", "auth-good"), 502, 50200)


@pytest.mark.parametrize("setting", ["ALIPAY_APP_PRIVATE_KEY", "ALIPAY_PUBLIC_KEY"])
@pytest.mark.parametrize("value", ["", "not a key", "-----BEGIN PRIVATE KEY-----\nAAAA\n"])
def test_alipay_not_configured(client, app, alipay, setting, value):
    app.config[setting] = value
    assert_error(login(client, "alipay", "auth-good"), 502, 50200)


# --- RSA2 signing against python-alipay-sdk ----------------------------------------------------


def test_sign_rsa2_matches_python_alipay_sdk(keys):
    params = {
        "app_id": ALIPAY_APP_ID,
        "method": "alipay.system.oauth.token",
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "timestamp": "2024-05-01 12:30:00",
        "version": "1.0",
        "grant_type": "authorization_code",
        "code": "4b203fe6c11548bc",
        "biz_content": '{"note":"a b&c=d \u5e02\u6c11"}',
    }
    sdk = AliPay(
        appid=ALIPAY_APP_ID,
        app_notify_url=None,
        app_private_key_string=keys.app_private_pkcs1,
        alipay_public_key_string=keys.alipay_public,
        sign_type="RSA2",
    )
    sdk_signature = dict(parse_qsl(sdk.sign_data(dict(params))))["sign"]
    for key in (keys.app_private_pkcs1, keys.app_private_pkcs8, bare(keys.app_private_pkcs8)):
        assert sign_rsa2(params, key) == sdk_signature
    # Ours verifies what the SDK signs, and refuses other content.
    content = '{"user_id": "2088102150477652", "note": "\u5e02\u6c11"}'
    alipay_sdk = AliPay(
        appid=ALIPAY_APP_ID,
        app_private_key_string=keys.alipay_private,
        alipay_public_key_string=keys.app_public,
        sign_type="RSA2",
    )
    signature = alipay_sdk._sign(content)
    assert verify_rsa2(content, signature, keys.alipay_public)
    assert verify_rsa2(content, signature, bare(keys.alipay_public))
    assert not verify_rsa2(content + " ", signature, keys.alipay_public)
    assert not verify_rsa2(content, "not base64!", keys.alipay_public)


def test_signing_string_skips_sign_and_empty_values():
    params = {"b": "2", "sign": "xyz", "a": "1", "empty": "", "none": None, "c": "x y&z"}
    assert signing_string(params) == "a=1&b=2&c=x y&z"


def test_signed_content_is_the_raw_text():
    text = (
        '{"alipay_system_oauth_token_response" :  {"user_id": "2088", "note": "} {"}, '
        '"sign": "abc"}'
    )
    assert (
        platforms.signed_content(text, "alipay_system_oauth_token_response")
        == '{"user_id": "2088", "note": "} {"}'
    )
    assert platforms.signed_content(text, "error_response") is None


# --- session tokens ---------------------------------------------------------------------------


def _token_and_citizen(client) -> tuple[str, int]:
    data = login(client, "wechat", "good-code").get_json()["data"]
    return data["token"], data["citizen_id"]


def test_expired_token(client, app):
    _, citizen_id = _token_and_citizen(client)
    with app.app_context():
        token, _ = issue_session_token(citizen_id, "wechat", ttl_seconds=-10)
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, 40101)


def test_a_token_verified_before_is_refused_once_expired(client, app, monkeypatch):
    _, citizen_id = _token_and_citizen(client)
    with app.app_context():
        token, expires_at = issue_session_token(citizen_id, "wechat", ttl_seconds=60)
    assert client.get("/api/v1/me", headers=bearer(token)).status_code == 200  # verified, kept

    class Later(datetime):
        @classmethod
        def now(cls, tz=None):
            return expires_at + timedelta(seconds=1)

    monkeypatch.setattr(auth, "datetime", Later)
    assert_error(client.get("/api/v1/me", headers=bearer(token)), 401, 40101)


def test_tampered_token(client):
    token, _ = _token_and_citizen(client)
    header, payload, signature = token.split(".")
    raw = bytearray(base64.urlsafe_b64decode(signature + "=" * (-len(signature) % 4)))
    raw[0] ^= 0x01  # flip a bit of the signature itself (not just base64 padding bits)
    flipped = base64.urlsafe_b64encode(bytes(raw)).rstrip(b"=").decode()
    assert flipped != signature
    tampered = f"{header}.{payload}.{flipped}"
    assert_error(client.get("/api/v1/me", headers=bearer(tampered)), 401, 40102)


def test_token_signed_with_another_secret(client):
    token, citizen_id = _token_and_citizen(client)
    claims = jwt.decode(token, options={"verify_signature": False})
    assert claims["sub"] == str(citizen_id)
    forged = jwt.encode(claims, "another-secret-of-at-least-32-bytes!", algorithm="HS256")
    assert_error(client.get("/api/v1/me", headers=bearer(forged)), 401, 40102)


def test_missing_authorization(client):
    assert_error(client.get("/api/v1/me"), 401, 40100)
    assert_error(client.get("/api/v1/me", headers={"Authorization": "Bearer "}), 401, 40100)
