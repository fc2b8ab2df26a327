"""Every error comes in the one envelope, with an honest status and a localized message."""

import pytest

from tests.edge import bot_headers

EN = {"Accept-Language": "en"}


def assert_error(response, status: int, errcode: int) -> dict:
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == "application/json"
    body = response.get_json()
    assert set(body) == {"errcode", "errmsg", "data"}
    assert body["errcode"] == errcode
    assert body["errmsg"] and not body["errmsg"].startswith("error.")
    return body


def test_400_malformed_json(client):
    response = client.post(
        "/api/v1/auth/login",
        data=b'{"platform": "wechat",',
        content_type="application/json",
        headers=EN,
    )
    body = assert_error(response, 400, 40001)
    assert body["errmsg"] == "The request body is not valid JSON."


def test_400_malformed_identity_header(client, auth):
    headers = auth.bot("carrier-pigeon:42")
    assert_error(client.get("/api/v1/me", headers=headers), 400, 40000)


def test_401_without_credentials(client):
    body = assert_error(client.get("/api/v1/me"), 401, 40100)
    assert body["errmsg"] == "请先登录。"


def test_401_wrong_service_token(client):
    headers = {"Authorization": "Bearer not-the-service-token", "X-Citizen-Identity": "web:x"}
    assert_error(client.get("/api/v1/me", headers=headers), 401, 40102)


def test_403_citizen_on_operator_endpoint(client, auth):
    citizen_id, headers = auth.citizen()
    assert_error(client.get(f"/api/v1/admin/citizens/{citizen_id}", headers=headers), 403, 40300)


def test_403_bot_on_operator_endpoint(client, auth):
    assert_error(client.get("/api/v1/admin/citizens/1", headers=auth.bot("web:x")), 403, 40300)


def test_operator_reads_a_citizen_masked(client, auth):
    citizen_id, _ = auth.citizen("web:someone", phone="13700001111")
    _, operator = auth.citizen("web:operator", role="operator")
    response = client.get(f"/api/v1/admin/citizens/{citizen_id}", headers=operator)
    assert response.status_code == 200
    assert response.get_json()["data"]["phone"] == "137****1111"


def test_404_unknown_path_and_unknown_record(client, auth):
    body = assert_error(client.get("/api/v1/no-such-thing", headers=EN), 404, 40400)
    assert body["errmsg"] == "What you are looking for does not exist."
    _, operator = auth.citizen("web:operator", role="operator")
    assert_error(client.get("/api/v1/admin/citizens/999999", headers=operator), 404, 40400)


def test_405_wrong_method(client):
    response = client.delete("/api/v1/health")
    assert_error(response, 405, 40500)
    assert "GET" in response.headers["Allow"]


def test_a_phone_is_not_bound_by_saying_it(client, auth):
    _, headers = auth.citizen("web:second")
    response = client.patch("/api/v1/me", json={"phone": "13600002222"}, headers=headers)
    assert_error(response, 422, 42200)
    me = client.get("/api/v1/me", headers=headers).get_json()["data"]
    assert me["phone"] is None  # nothing half-written


def test_413_huge_payload(client):
    huge = b'{"platform": "wechat", "code": "' + b"x" * (2 * 1024 * 1024) + b'"}'
    response = client.post("/api/v1/auth/login", data=huge, content_type="application/json")
    assert_error(response, 413, 41300)


@pytest.mark.parametrize(
    "body",
    [
        {"platform": "myspace", "code": "abc"},
        {"platform": "wechat"},
        {"platform": "wechat", "code": 12345},
        {"platform": "wechat", "code": ""},
        [],
        "just a string",
    ],
)
def test_422_validation_names_the_fields(client, body):
    response = client.post("/api/v1/auth/login", json=body)
    result = assert_error(response, 422, 42200)
    assert result["data"]["errors"]


def test_422_wrong_types_in_profile_update(client, auth):
    _, headers = auth.citizen()
    response = client.patch("/api/v1/me", json={"phone": "12345", "locale": "fr"}, headers=headers)
    errors = assert_error(response, 422, 42200)["data"]["errors"]["json"]
    assert set(errors) == {"phone", "locale"}


def test_429_login_rate_limit(app_factory):
    client = app_factory(LOGIN_RATE_LIMIT="2 per minute").test_client()
    for _ in range(2):
        client.post("/api/v1/auth/login", json={"platform": "wechat"})
    response = client.post("/api/v1/auth/login", json={"platform": "wechat"})
    assert_error(response, 429, 42900)
    assert int(response.headers["Retry-After"]) > 0


def test_503_when_the_database_is_down(tmp_path):
    from miniapp_api import create_app
    from miniapp_api.config import TestingConfig
    from miniapp_api.db import db

    app = create_app(TestingConfig(f"sqlite:///{tmp_path}/gone/db.sqlite3"))
    response = app.test_client().get("/api/v1/me", headers=bot_headers("web:someone"))
    assert_error(response, 503, 50300)
    with app.app_context():
        db.engine.dispose()


@pytest.mark.parametrize("phone", ["13812345678\n", "１３８１２３４５６７８", "1381234567"])
def test_422_phone_must_be_exactly_a_mainland_mobile(client, auth, phone):
    _, headers = auth.citizen()
    response = client.post("/api/v1/me/phone/code", json={"phone": phone}, headers=headers)
    assert_error(response, 422, 42200)
