"""Personal numbers at rest and in the API's own words.

A database dump alone does not reveal patients' ID-card and phone numbers, nor applicants' ID
numbers, nor numbers a citizen typed into a handed-over conversation: neither the raw bytes of
the SQLite file nor every column of every table (SQLite and PostgreSQL, as ``pg_dump`` would
write them). The NLG endpoint masks numbers a reply quotes back to the citizen.
"""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import inspect, text

from miniapp_api.db import db
from tests.api.residents import make_resident, valid_id_card

ID_CARDS = [valid_id_card("11010519491231002"), valid_id_card("44010619850312002")]
PHONES = ["13911112222", "15233334444"]


@pytest.fixture
def database_url(request):
    """Both engines, on the demo city (the residents book real slots)."""
    if "postgres" in request.node.name:
        return request.getfixturevalue("postgres_database")
    return request.getfixturevalue("seeded_sqlite_url")


def forbidden(id_card: str, phone: str) -> list[str]:
    """The raw numbers, and the parts that give them away (the ID card's 17-digit body)."""
    return [id_card, id_card[:17], phone]


def every_value(app) -> str:
    """Every column of every row of every table, as text: a logical dump."""
    parts = []
    with app.app_context():
        connection = db.session.connection()
        for table in inspect(connection).get_table_names():
            for row in connection.execute(text(f'SELECT * FROM "{table}"')):
                parts.extend(str(value) for value in row)
        db.session.remove()
    return "\n".join(parts)


def people_with_numbers(app, client, auth) -> list:
    """Two residents: patients, an application and a handoff ticket whose transcript quotes the
    numbers the citizen typed."""
    from miniapp_api.seed import seed_demo_data

    with app.app_context():
        if not db.session.execute(text("SELECT count(*) FROM hospital")).scalar():
            seed_demo_data()
        db.session.remove()
    people = []
    for n, (card, phone) in enumerate(zip(ID_CARDS, PHONES)):
        resident = make_resident(app, client, auth, f"dump{n}", card, phone, slot_index=n)
        client.post(
            "/api/v1/handoff/tickets",
            headers=auth.bot(f"web:dump-chat-{n}"),
            json={
                "reason": "requested",
                "transcript": [
                    {"role": "citizen", "text": f"我的身份证是{card}，手机{phone}"},
                    {"role": "bot", "text": "请稍等"},
                ],
            },
        )
        people.append(resident)
    return people


@pytest.mark.parametrize("engine", ["sqlite", pytest.param("postgres", marks=pytest.mark.postgres)])
def test_a_database_dump_reveals_no_personal_number(app, client, auth, database_url, engine):
    people_with_numbers(app, client, auth)
    dump = every_value(app)
    assert "v1." in dump  # the sealed values are there, as ciphertext
    for card, phone in zip(ID_CARDS, PHONES):
        for secret in forbidden(card, phone):
            assert secret not in dump, secret
    if engine == "sqlite":
        with app.app_context():
            db.engine.dispose()
        path = database_url.removeprefix("sqlite:///")
        raw = b"".join(p.read_bytes() for p in (Path(path), Path(path + "-wal")) if p.exists())
        for card, phone in zip(ID_CARDS, PHONES):
            for secret in forbidden(card, phone):
                assert secret.encode() not in raw, secret


def test_the_nlg_endpoint_masks_numbers_a_reply_quotes(app, client):
    card, phone = ID_CARDS[0], PHONES[0]
    response = client.post(
        f"/nlg?token={app.config['BOT_SERVICE_TOKEN']}",
        json={
            "response": "utter_booking_not_found",
            "arguments": {"kind": "hospital", "query": f"{card} {phone}"},
            "tracker": {"sender_id": "web:nlg-privacy", "events": [], "slots": {}},
            "channel": {"name": "rest"},
        },
    )
    assert response.status_code == 200, response.get_data(as_text=True)
    reply = json.dumps(response.get_json(), ensure_ascii=False)
    assert card not in reply and phone not in reply
    assert card[:3] + "*" * 14 + card[-1] in reply and phone[:3] + "****" + phone[-4:] in reply


def test_log_lines_mask_numbers_behind_percent_escapes(caplog):
    """An access log line quotes the URL: "是310115…" is ``%E6%98%AF310115…`` there."""
    import logging
    from urllib.parse import quote

    from miniapp_api.privacy import install_log_masking

    install_log_masking()
    card, phone = ID_CARDS[0], PHONES[0]
    query = quote(f"我身份证号是{card}") + "&phone=" + quote(f" {phone}")
    with caplog.at_level(logging.INFO):
        logging.getLogger("gunicorn.access").info(
            '"GET /api/v1/hospitals?q=%s HTTP/1.1" 200', query
        )
    [line] = [r.getMessage() for r in caplog.records if r.name == "gunicorn.access"]
    assert card not in line and card[:17] not in line and phone not in line, line
    assert card[:3] + "*" * 14 + card[-1] in line and phone[:3] + "****" + phone[-4:] in line


def test_the_access_log_does_not_keep_the_bots_token(app, caplog):
    """Rasa's NLG calls carry the service token in the query string; whoever reads the access
    log must not be able to act for every citizen."""
    import logging

    from miniapp_api.privacy import install_log_masking

    install_log_masking()
    token = app.config["BOT_SERVICE_TOKEN"]
    with caplog.at_level(logging.INFO):
        logging.getLogger("gunicorn.access").info('"POST /nlg?token=%s HTTP/1.1" 200', token)
    [line] = [r.getMessage() for r in caplog.records if r.name == "gunicorn.access"]
    assert token not in line and "/nlg?token=***" in line, line
