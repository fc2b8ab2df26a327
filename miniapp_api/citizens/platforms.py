"""Mini-app login: exchange the platform's one-time login code for the platform's user id.

- WeChat ``wx.login`` code -> ``GET /sns/jscode2session`` -> ``openid``.
- Alipay ``my.getAuthCode`` code -> ``alipay.system.oauth.token`` -> ``user_id`` (or ``open_id``),
  with an RSA2-signed request and a verified RSA2 response signature.

A code the platform refuses is ``ApiError("login_failed")`` (401); a platform that cannot be
reached, answers garbage, or is misconfigured is ``ApiError("platform_unavailable")`` (502).
Secrets, session keys, access tokens and login codes are never logged; transport errors are
logged by class name only, because their messages contain the request URL (and so the secret).
"""

from __future__ import annotations

import json
import logging
from datetime import datetime, timedelta, timezone
from typing import Any, NoReturn

import requests
from flask import current_app

from ..errors import ApiError
from .alipay_signing import AlipayKeyError, sign_rsa2, verify_rsa2

logger = logging.getLogger(__name__)
_session = requests.Session()

# WeChat errcodes that mean "this code is not good" (invalid, already used, risky user blocked);
# any other errcode (-1 busy, 45011 rate limit, 40013/40125 bad appid/secret...) is ours or theirs.
WECHAT_CODE_REFUSED = frozenset({40029, 40163, 40226})
ALIPAY_METHOD = "alipay.system.oauth.token"
ALIPAY_RESPONSE_KEY = "alipay_system_oauth_token_response"
# Alipay's gateway reads its `timestamp` as Beijing time whatever the city's zone (its protocol,
# not a setting). China Standard Time has no daylight saving: a fixed offset needs no tz database.
_SHANGHAI = timezone(timedelta(hours=8), "Asia/Shanghai")


def exchange_code(platform: str, code: str) -> str:
    """The platform's user id for a mini-app login ``code``."""
    if platform == "wechat":
        return _wechat_openid(code)
    if platform == "alipay":
        return _alipay_user_id(code)
    raise ApiError("bad_request", data={"platform": platform})


def _unavailable(reason: str, *args: Any) -> NoReturn:
    logger.warning("login platform unavailable: " + reason, *args)
    raise ApiError("platform_unavailable")


def _request(method: str, url: str, platform: str, **kwargs: Any) -> requests.Response:
    timeout = current_app.config["PLATFORM_TIMEOUT_SECONDS"]
    response, failure = None, ""
    try:
        response = _session.request(method, url, timeout=timeout, **kwargs)
    except requests.RequestException as exc:
        failure = exc.__class__.__name__  # not str(exc): it holds the URL, and so the secret
    if response is None:  # outside ``except``, so the ApiError does not chain the exception
        _unavailable("%s request failed (%s)", platform, failure)
    if response.status_code >= 400:
        _unavailable("%s answered HTTP %s", platform, response.status_code)
    return response


def _json_object(text: str, platform: str) -> dict[str, Any]:
    try:
        body = json.loads(text)
    except ValueError:
        body = None
    if not isinstance(body, dict):
        _unavailable("%s answered a body that is not a JSON object", platform)
    return body


# --- WeChat -----------------------------------------------------------------------------------


def _wechat_openid(code: str) -> str:
    config = current_app.config
    params = {
        "appid": config["WECHAT_APPID"],
        "secret": config["WECHAT_SECRET"],
        "js_code": code,
        "grant_type": "authorization_code",
    }
    url = config["WECHAT_API_BASE"].rstrip("/") + "/sns/jscode2session"
    response = _request("GET", url, "wechat", params=params)
    body = _json_object(response.content.decode("utf-8", errors="replace"), "wechat")
    errcode = body.get("errcode") or 0
    if errcode in WECHAT_CODE_REFUSED:
        logger.info("wechat refused a login code: errcode %s", errcode)
        raise ApiError("login_failed")
    if errcode:
        _unavailable("wechat errcode %s (%s)", errcode, str(body.get("errmsg", ""))[:200])
    openid = body.get("openid")
    if not isinstance(openid, str) or not openid:
        _unavailable("wechat answered without an openid")
    return openid


# --- Alipay -----------------------------------------------------------------------------------


def _alipay_user_id(code: str) -> str:
    config = current_app.config
    private_key, public_key = config["ALIPAY_APP_PRIVATE_KEY"], config["ALIPAY_PUBLIC_KEY"]
    if not private_key or not public_key:
        _unavailable("ALIPAY_APP_PRIVATE_KEY or ALIPAY_PUBLIC_KEY is not configured")
    common = {
        "app_id": config["ALIPAY_APP_ID"],
        "method": ALIPAY_METHOD,
        "format": "JSON",
        "charset": "utf-8",
        "sign_type": "RSA2",
        "version": "1.0",
        "timestamp": datetime.now(_SHANGHAI).strftime("%Y-%m-%d %H:%M:%S"),
    }
    business = {"grant_type": "authorization_code", "code": code}
    try:
        common["sign"] = sign_rsa2({**common, **business}, private_key)
    except AlipayKeyError as exc:
        _unavailable("ALIPAY_APP_PRIVATE_KEY: %s", exc)
    # Alipay wants the charset (and the other common parameters) in the query string.
    response = _request("POST", config["ALIPAY_GATEWAY"], "alipay", params=common, data=business)
    text = response.content.decode("utf-8", errors="replace")
    body = _json_object(text, "alipay")
    key = ALIPAY_RESPONSE_KEY if ALIPAY_RESPONSE_KEY in body else "error_response"
    result = body.get(key)
    if not isinstance(result, dict):
        _unavailable("alipay answered neither %s nor error_response", ALIPAY_RESPONSE_KEY)
    _check_alipay_signature(text, key, result, body.get("sign"), public_key)
    if key == "error_response" or result.get("code") not in (None, "10000"):
        sub_code = str(result.get("sub_code") or "")
        if sub_code.startswith("isv.code-"):
            logger.info("alipay refused a login code: %s", sub_code)
            raise ApiError("login_failed")
        _unavailable("alipay error %s %s", result.get("code"), sub_code)
    user_id = result.get("user_id") or result.get("open_id")
    if not isinstance(user_id, str) or not user_id:
        _unavailable("alipay answered without a user_id or open_id")
    return user_id


def _check_alipay_signature(
    text: str, key: str, result: dict[str, Any], signature: Any, public_key: str
) -> None:
    """The response's ``sign`` must be Alipay's signature of the raw JSON text under ``key``."""
    content = signed_content(text, key)
    if content is None or json.loads(content) != result:
        _unavailable("alipay response: cannot locate the signed content of %s", key)
    if not isinstance(signature, str) or not signature:
        _unavailable("alipay response without a signature")
    try:
        valid = verify_rsa2(content, signature, public_key)
    except AlipayKeyError as exc:
        _unavailable("ALIPAY_PUBLIC_KEY: %s", exc)
    if not valid:
        _unavailable("alipay response signature does not verify")


def signed_content(text: str, key: str) -> str | None:
    """The exact raw JSON text of the value of top-level ``key`` in ``text`` (not re-serialized)."""
    marker = json.dumps(key)
    position = text.find(marker)
    if position < 0:
        return None
    colon = text.find(":", position + len(marker))
    if colon < 0 or text[position + len(marker) : colon].strip():
        return None
    start = colon + 1
    while start < len(text) and text[start] in " \t\r\n":
        start += 1
    try:
        _, end = json.JSONDecoder().raw_decode(text, start)
    except ValueError:
        return None
    return text[start:end]
