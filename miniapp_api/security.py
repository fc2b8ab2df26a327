"""Security headers on every response: the web chat page and every API answer.

The page loads only its own script, style and messages (no inline script, no CDN), so its
Content Security Policy allows ``'self'`` alone; JSON answers allow nothing at all. No response
may be framed (clickjacking), sniffed into another type, or leak its URL as a referrer.
"""

from __future__ import annotations

from flask import Flask, Response, current_app, request
from werkzeug.exceptions import RequestEntityTooLarge
from werkzeug.middleware.proxy_fix import ProxyFix

PAGE_POLICY = (
    "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; "
    "connect-src 'self'; manifest-src 'self'; base-uri 'none'; form-action 'self'; "
    "frame-ancestors 'none'"
)
API_POLICY = "default-src 'none'; frame-ancestors 'none'; base-uri 'none'; form-action 'none'"
HSTS = "max-age=31536000; includeSubDomains"
COMMON_HEADERS = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    # The web chat asks for the location itself; nothing else may, and no camera or microphone.
    "Permissions-Policy": "geolocation=(self), camera=(), microphone=(), payment=()",
    "Cross-Origin-Opener-Policy": "same-origin",
    "Cross-Origin-Resource-Policy": "same-origin",
}


def security_headers(response: Response) -> Response:
    html = response.mimetype == "text/html"
    response.headers.setdefault("Content-Security-Policy", PAGE_POLICY if html else API_POLICY)
    for name, value in COMMON_HEADERS.items():
        response.headers.setdefault(name, value)
    if request.is_secure:
        response.headers.setdefault("Strict-Transport-Security", HSTS)
    # Answers about a citizen are theirs alone: no shared cache keeps them.
    if request.path.startswith("/api/") and "Cache-Control" not in response.headers:
        response.headers["Cache-Control"] = "no-store"
    return response


def install_security_headers(app: Flask) -> None:
    app.after_request(security_headers)


def body_limit() -> int | None:
    """``MAX_CONTENT_LENGTH``; but the bot's own calls carry whole conversations (Rasa's NLG
    call has every event of the tracker, a handoff ticket the latest turns), so with the
    bot's service token they may reach ``BOT_MAX_CONTENT_LENGTH``."""
    from .auth import _bearer_token, is_service_token
    from .nlg import nlg_token

    token = nlg_token() if request.blueprint == "nlg" else _bearer_token()
    if token and is_service_token(token):
        return current_app.config.get("BOT_MAX_CONTENT_LENGTH")
    return current_app.config.get("MAX_CONTENT_LENGTH")


def refuse_oversized_bodies() -> None:
    """A declared body over the limit is refused (413) before anything else runs, whoever
    sends it; a body without a declared length is cut off where it is read."""
    limit = body_limit()
    request.max_content_length = limit
    if limit and request.content_length and request.content_length > limit:
        raise RequestEntityTooLarge()


def install_request_size_limit(app: Flask) -> None:
    app.before_request(refuse_oversized_bodies)


def install_proxy_trust(app: Flask) -> None:
    """Behind ``TRUSTED_PROXIES`` reverse proxies (deploy/'s nginx is one) the client's address
    and scheme are the ones they forward (``X-Forwarded-For``, ``-Proto``); with none, the
    default, those headers are ignored, so a client cannot pick the address its rate limits
    count against, and behind a proxy the whole city does not share one address's budget."""
    hops = app.config.get("TRUSTED_PROXIES", 0)
    if hops:
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=hops, x_proto=hops)
