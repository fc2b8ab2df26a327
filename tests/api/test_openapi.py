"""The OpenAPI spec is generated from the code and validates requests with the same schemas."""

import pytest
from openapi_spec_validator import validate


@pytest.fixture
def database_url(sqlite_url):
    return sqlite_url


@pytest.fixture
def spec(client):
    response = client.get("/api/v1/openapi.json")
    assert response.status_code == 200
    return response.get_json()


def test_spec_is_valid_openapi(spec):
    validate(spec)
    assert spec["info"]["title"] == "Citizen Assistant API"


def test_spec_documents_every_api_route(app, spec):
    documented = {
        (path, method.upper())
        for path, item in spec["paths"].items()
        for method in item
        if method in {"get", "post", "put", "patch", "delete"}
    }
    routes = set()
    for rule in app.url_map.iter_rules():
        if not rule.rule.startswith("/api/v1/") or rule.endpoint.startswith("api-docs"):
            continue
        path = rule.rule.replace("<int:", "{").replace("<", "{").replace(">", "}")
        routes |= {(path, m) for m in rule.methods - {"HEAD", "OPTIONS"}}
    assert routes == documented


def test_request_schema_in_spec_is_the_one_enforced(client, spec):
    login = spec["paths"]["/api/v1/auth/login"]["post"]
    schema_ref = login["requestBody"]["content"]["application/json"]["schema"]["$ref"]
    schema = spec["components"]["schemas"][schema_ref.rsplit("/", 1)[1]]
    assert set(schema["required"]) == {"platform", "code"}
    assert schema["properties"]["platform"]["enum"] == ["wechat", "alipay"]
    # What the spec says is required, the server requires.
    response = client.post("/api/v1/auth/login", json={"platform": "wechat"})
    assert response.status_code == 422
    assert set(response.get_json()["data"]["errors"]["json"]) == {"code"}


def test_responses_are_described_as_envelopes(spec):
    health = spec["paths"]["/api/v1/health"]["get"]["responses"]["200"]
    ref = health["content"]["application/json"]["schema"]["$ref"]
    envelope = spec["components"]["schemas"][ref.rsplit("/", 1)[1]]
    assert set(envelope["properties"]) == {"errcode", "errmsg", "data"}
