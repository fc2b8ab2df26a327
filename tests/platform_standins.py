"""Local stand-ins of the WeChat and Alipay login endpoints, served over real HTTP on loopback.

- ``WeChatStandIn``: ``GET /sns/jscode2session``; single-use codes (second use: 40163, unknown:
  40029), like the real ``jscode2session``.
- ``AlipayStandIn``: ``alipay.system.oauth.token`` at ``/gateway.do``. It checks the request's
  RSA2 signature with python-alipay-sdk (an implementation independent of ours) and signs its
  answers with "Alipay's" private key through the same SDK.

Both have ``mode``: ``"ok"``, ``"down"`` (HTTP 500), ``"slow"`` (answers after the client gave up),
``"not_json"``; WeChat also ``"busy"`` (errcode -1) and ``"rate_limited"`` (45011); Alipay also
``"tampered"`` (a signature that does not match the content) and ``"unsigned"``.
"""

from __future__ import annotations

import json
import socket
import threading
from dataclasses import dataclass
from typing import Any

from alipay import AliPay
from werkzeug.serving import WSGIRequestHandler, make_server
from werkzeug.wrappers import Request, Response

OAUTH_RESPONSE_KEY = "alipay_system_oauth_token_response"


class _QuietHandler(WSGIRequestHandler):
    """No access log: request lines carry the WeChat secret in their query string."""

    def log_request(self, *args: Any, **kwargs: Any) -> None:
        pass


def unused_loopback_url() -> str:
    """A loopback URL on which nothing listens (connection refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    return f"http://127.0.0.1:{port}"


class StandIn:
    """A WSGI app served by werkzeug on a free loopback port, in a daemon thread."""

    def __init__(self) -> None:
        self.mode = "ok"
        self._release = threading.Event()  # ends "slow" answers when the stand-in stops
        self._server = make_server(
            "127.0.0.1", 0, self._wsgi, threaded=True, request_handler=_QuietHandler
        )
        self.url = f"http://127.0.0.1:{self._server.server_port}"
        self._thread = threading.Thread(
            target=self._server.serve_forever, daemon=True, kwargs={"poll_interval": 0.02}
        )  # quick shutdown

    def __enter__(self) -> StandIn:
        self._thread.start()
        return self

    def __exit__(self, *exc_info: Any) -> None:
        self._release.set()
        self._server.shutdown()
        self._server.server_close()
        self._thread.join(timeout=5)

    def _wsgi(self, environ: dict, start_response: Any) -> Any:
        request = Request(environ)
        if self.mode == "down":
            response = Response("<html>502 Bad Gateway</html>", status=500, mimetype="text/html")
        elif self.mode == "not_json":
            response = Response("<html>maintenance</html>", mimetype="text/html")
        else:
            if self.mode == "slow":
                self._release.wait(timeout=5)
            response = self.handle(request)
        return response(environ, start_response)

    def handle(self, request: Request) -> Response:
        raise NotImplementedError


def _json_response(text: str) -> Response:
    return Response(
        text.encode("utf-8"),
        mimetype="application/json",
        content_type="application/json;charset=utf-8",
    )


class WeChatStandIn(StandIn):
    """``jscode2session`` knowing ``codes`` (code -> openid)."""

    def __init__(self, appid: str, secret: str, codes: dict[str, str] | None = None) -> None:
        super().__init__()
        self.appid, self.secret = appid, secret
        self.codes = dict(codes or {})
        self.used: set[str] = set()
        self.calls: list[dict[str, str]] = []

    def handle(self, request: Request) -> Response:
        if request.path != "/sns/jscode2session" or request.method != "GET":
            return Response("not found", status=404)
        args = request.args.to_dict()
        self.calls.append(args)
        if self.mode == "busy":
            return self._answer({"errcode": -1, "errmsg": "system error"})
        if self.mode == "rate_limited":
            return self._answer({"errcode": 45011, "errmsg": "api minute-quota reach limit"})
        if args.get("appid") != self.appid or args.get("secret") != self.secret:
            return self._answer({"errcode": 40125, "errmsg": "invalid appsecret"})
        code = args.get("js_code", "")
        if args.get("grant_type") != "authorization_code":
            return self._answer({"errcode": 40002, "errmsg": "invalid grant_type"})
        if code in self.used:
            return self._answer({"errcode": 40163, "errmsg": "code been used"})
        if code not in self.codes:
            return self._answer({"errcode": 40029, "errmsg": "invalid code"})
        self.used.add(code)
        openid = self.codes[code]
        return self._answer({"session_key": "c2Vzc2lvbi1rZXktc2VjcmV0", "openid": openid})

    @staticmethod
    def _answer(body: dict[str, Any]) -> Response:
        # WeChat answers HTTP 200 with text/plain even for errors.
        return Response(json.dumps(body), mimetype="text/plain")


@dataclass
class SeenRequest:
    params: dict[str, str]
    signature_valid: bool  # as judged by python-alipay-sdk


class AlipayStandIn(StandIn):
    """``alipay.system.oauth.token`` knowing ``codes`` (auth code -> user id)."""

    def __init__(
        self,
        app_id: str,
        app_public_key_pem: str,
        alipay_private_key_pem: str,
        codes: dict[str, str] | None = None,
    ) -> None:
        super().__init__()
        self.app_id = app_id
        self.codes = dict(codes or {})
        self.answer_open_id = False  # newer apps get "open_id" instead of "user_id"
        self.seen: list[SeenRequest] = []
        # Mirror image of a merchant's client: signs with Alipay's key, verifies with the app's.
        self._sdk = AliPay(
            appid=app_id,
            app_notify_url=None,
            app_private_key_string=alipay_private_key_pem,
            alipay_public_key_string=app_public_key_pem,
            sign_type="RSA2",
        )
        self.gateway_url = self.url + "/gateway.do"

    def _request_signature_valid(self, params: dict[str, str]) -> bool:
        """python-alipay-sdk's judgement: its own signing string (as ``sign_data`` builds it,
        ``sign_type`` included as for requests), checked by its ``_verify``."""
        unsigned = {k: v for k, v in params.items() if k != "sign"}
        message = "&".join(f"{k}={v}" for k, v in self._sdk._ordered_data(unsigned))
        try:
            return self._sdk._verify(message, params.get("sign", ""))
        except (ValueError, TypeError):
            return False

    def handle(self, request: Request) -> Response:
        if request.path != "/gateway.do" or request.method != "POST":
            return Response("not found", status=404)
        params = {**request.args.to_dict(), **request.form.to_dict()}
        valid = self._request_signature_valid(params)
        self.seen.append(SeenRequest(params, valid))
        if params.get("app_id") != self.app_id:
            return self._error("isv.invalid-app-id", "\u65e0\u6548\u7684AppID\u53c2\u6570")
        if not valid:
            return self._error("isv.invalid-signature", "\u9a8c\u7b7e\u51fa\u9519")
        if params.get("method") != "alipay.system.oauth.token" or params.get("sign_type") != "RSA2":
            return self._error("isv.invalid-method", "\u4e0d\u5b58\u5728\u7684\u65b9\u6cd5\u540d")
        user_id = self.codes.pop(params.get("code", ""), None)
        if params.get("grant_type") != "authorization_code" or user_id is None:
            return self._error("isv.code-invalid", "\u6388\u6743\u7801code\u65e0\u6548")
        result = {
            "access_token": "authusrB" + user_id[-6:],
            "auth_start": "2024-01-01 10:00:00",
            "expires_in": 1296000,
            "re_expires_in": 2592000,
            "refresh_token": "authusrR" + user_id[-6:],
        }
        result["open_id" if self.answer_open_id else "user_id"] = user_id
        return self._signed(OAUTH_RESPONSE_KEY, result)

    def _error(self, sub_code: str, sub_msg: str) -> Response:
        return self._signed(
            "error_response",
            {"code": "40002", "msg": "Invalid Arguments", "sub_code": sub_code, "sub_msg": sub_msg},
        )

    def _signed(self, key: str, result: dict[str, Any]) -> Response:
        # Spaces after separators and raw UTF-8: a client that re-serializes instead of using
        # the raw text of the value will not verify.
        content = json.dumps(result, ensure_ascii=False, separators=(", ", ": "))
        signature = self._sdk._sign(content)
        if self.mode == "tampered":
            signature = self._sdk._sign(content + " ")  # genuine, but of other content
        body = "{" + json.dumps(key) + ": " + content
        if self.mode != "unsigned":
            body += ', "sign": ' + json.dumps(signature)
        return _json_response(body + "}")
