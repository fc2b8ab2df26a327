from alembic.script import ScriptDirectory

from miniapp_api import MIGRATIONS_DIR, create_app
from miniapp_api.config import TestingConfig
from miniapp_api.db import db


def test_health_reports_database_and_versions(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    body = response.get_json()
    assert body["errcode"] == 0 and body["errmsg"] == "ok"
    data = body["data"]
    assert data["status"] == "ok"
    assert data["database"]["reachable"] is True
    head = ScriptDirectory(str(MIGRATIONS_DIR)).get_current_head()
    assert data["database"]["revision"] == head
    assert {"api", "python", "flask", "sqlalchemy", "alembic", "babel"} <= set(data["versions"])
    assert data["locales"] == ["zh_CN", "zh_Hant", "en"]


def test_health_says_503_when_the_database_is_unreachable(tmp_path):
    unreachable = f"sqlite:///{tmp_path}/missing-directory/db.sqlite3"
    app = create_app(TestingConfig(unreachable))
    response = app.test_client().get("/api/v1/health", headers={"Accept-Language": "en"})
    assert response.status_code == 503
    body = response.get_json()
    assert body["errcode"] == 50300
    assert body["errmsg"] == "The service is temporarily unavailable. Please try again later."
    assert body["data"]["database"]["reachable"] is False
    assert response.headers["Retry-After"]
    with app.app_context():
        db.engine.dispose()
