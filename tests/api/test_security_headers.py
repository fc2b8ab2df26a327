"""Security headers on the web chat page and on every API answer, errors included."""

from __future__ import annotations

import pytest

COMMON = {
    "X-Content-Type-Options": "nosniff",
    "X-Frame-Options": "DENY",
    "Referrer-Policy": "no-referrer",
    "Cross-Origin-Opener-Policy": "same-origin",
}


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


def directives(policy: str) -> dict[str, str]:
    parts = (p.strip().split(None, 1) for p in policy.split(";") if p.strip())
    return {p[0]: (p[1] if len(p) > 1 else "") for p in parts}


def assert_common(response) -> None:
    for name, value in COMMON.items():
        assert response.headers.get(name) == value, (response.request.path, name)
    assert "geolocation=(self)" in response.headers["Permissions-Policy"]


def test_the_page_allows_only_its_own_script_style_and_api(client):
    response = client.get("/")
    assert response.status_code == 200 and response.mimetype == "text/html"
    assert_common(response)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == "'none'"
    assert policy["script-src"] == "'self'" and policy["style-src"] == "'self'"
    assert policy["connect-src"] == "'self'" and policy["frame-ancestors"] == "'none'"
    assert "unsafe-inline" not in response.headers["Content-Security-Policy"]
    assert "unsafe-eval" not in response.headers["Content-Security-Policy"]


@pytest.mark.parametrize(
    "path, method, status",
    [
        ("/api/v1/health", "get", 200),
        ("/api/v1/me", "get", 401),
        ("/api/v1/nowhere", "get", 404),
        ("/api/v1/chat", "post", 422),
        ("/api/v1/openapi.json", "get", 200),
        ("/webchat/static/webchat.js", "get", 200),
        ("/nlg", "post", 401),
    ],
)
def test_every_answer_has_the_headers(client, path, method, status):
    response = getattr(client, method)(path)
    assert response.status_code == status
    assert_common(response)
    policy = directives(response.headers["Content-Security-Policy"])
    assert policy["default-src"] == "'none'" and policy["frame-ancestors"] == "'none'"
    if path.startswith("/api/"):
        assert response.headers["Cache-Control"] == "no-store"
    response.close()  # a static file is streamed from disk


def test_hsts_only_over_https(client):
    assert "Strict-Transport-Security" not in client.get("/api/v1/health").headers
    secure = client.get("/api/v1/health", base_url="https://localhost")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=31536000")


def test_the_page_is_in_the_negotiated_language_with_both_catalogs(client):
    zh = client.get("/", headers={"Accept-Language": "zh-CN"}).get_data(as_text=True)
    en = client.get("/?lang=en").get_data(as_text=True)
    assert '<html lang="zh-CN">' in zh and "<title>市民助手</title>" in zh
    assert '<html lang="en">' in en and "<title>Citizen Assistant</title>" in en
    for page in (zh, en):
        assert 'type="application/json" id="webchat-messages"' in page
        assert "<script>" not in page  # no inline script: the CSP would refuse it
        assert "http://" not in page and "https://" not in page  # nothing from elsewhere
