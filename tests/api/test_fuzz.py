"""API fuzzing: schemathesis generates requests for every operation of ``/api/v1/openapi.json``
and sends them to the app in process (WSGI), on a copy of the seeded demo city.

Valid inputs (positive) and invalid ones (negative) for every operation, with a citizen's
session token, the bot's service token, an operator's token or none; ids in paths are often
those of real records (two residents' appointments, applications, tickets), so the handlers run
past their lookups. Every answer must pass schemathesis' checks (no 5xx, the status, content
type, headers and body the spec documents, invalid input refused) and carry the security
headers, and every error body of the API is the envelope ``{errcode, errmsg, data}``.
``RELIABILITY_SCALE`` multiplies the number of examples (``make soak``); ``FUZZ_SEED`` picks
another sequence of inputs.
"""

from __future__ import annotations

import os
import time
from collections import Counter

import pytest
import schemathesis
from hypothesis import HealthCheck, Phase, given, seed, settings
from hypothesis import strategies as st
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis import checks as schemathesis_checks
from schemathesis.core.failures import FailureGroup

from miniapp_api.db import db
from miniapp_api.seed import seed_demo_data
from tests.api.residents import operator_headers, two_residents
from tests.platform_keys import Keys, bare
from tests.platform_standins import AlipayStandIn, WeChatStandIn
from tests.rasa_standin import RasaStandIn
from tests.scale import scaled

MIN_REQUESTS = 2000
POSITIVE_EXAMPLES, NEGATIVE_EXAMPLES = 30, 20
FUZZ_SEED = int(os.environ.get("FUZZ_SEED", "20261124"))
# Answers in a standard's own format rather than our envelope (documented as such).
OWN_FORMAT_PREFIXES = ("/api/v1/open311/", "/api/v1/fhir/")
# A rejection of invalid input may also be "too large" (the body limit comes first).
REJECTION_STATUSES = ["400", "401", "403", "404", "405", "409", "413", "415", "422", "429"]
# Failures already reported to a service's owner while they were changing it: (operation,
# text of the failure) -> the report. The test is marked xfail while one shows, and passes
# again by itself once it is fixed; any other failure still fails it.
KNOWN_ISSUES: dict[tuple[str, str], str] = {}
CHECKS = [
    schemathesis_checks.not_a_server_error,
    schemathesis_checks.status_code_conformance,
    schemathesis_checks.content_type_conformance,
    schemathesis_checks.response_schema_conformance,
    schemathesis_checks.response_headers_conformance,
    schemathesis_checks.negative_data_rejection,
]


@pytest.fixture(params=["sqlite", pytest.param("postgresql", marks=pytest.mark.postgres)])
def database_url(request) -> str:
    """The demo city on SQLite (every count in full) and on PostgreSQL (a quarter: what differs
    there is what the database refuses, such as NUL characters and numbers beyond INTEGER)."""
    if request.param == "sqlite":
        return request.getfixturevalue("seeded_sqlite_url")
    return request.getfixturevalue("postgres_database")


@pytest.fixture
def platforms():
    keys = Keys()
    with (
        WeChatStandIn("wx-fuzz-appid", "wx-fuzz-secret") as wechat,
        AlipayStandIn("2021000000099999", keys.app_public, keys.alipay_private) as alipay,
        RasaStandIn(replies=[{"text": "ok"}]) as rasa,
    ):
        yield {
            "WECHAT_APPID": "wx-fuzz-appid",
            "WECHAT_SECRET": "wx-fuzz-secret",
            "WECHAT_API_BASE": wechat.url,
            "ALIPAY_APP_ID": "2021000000099999",
            "ALIPAY_GATEWAY": alipay.gateway_url,
            "ALIPAY_APP_PRIVATE_KEY": keys.app_private_pkcs1,
            "ALIPAY_PUBLIC_KEY": bare(keys.alipay_public),
            "RASA_URL": rasa.url,
            "PLATFORM_TIMEOUT_SECONDS": 2.0,
        }


@pytest.fixture
def app(app_factory, platforms, database_url):
    # Rate limits have their own tests (test_abuse.py); here they would only hide handlers.
    app = app_factory(
        **platforms,
        LOGIN_RATE_LIMIT="100000 per minute",
        GUEST_LOOKUP_RATE_LIMIT="100000 per minute",
        CHAT_RATE_LIMIT="100000 per minute",
        CHAT_ADDRESS_RATE_LIMIT="100000 per minute",
    )
    if database_url.startswith("postgresql"):
        with app.app_context():
            seed_demo_data()
            db.session.remove()
    return app


def known_path_values(client, alice, bob) -> dict[str, list]:
    """Real ids for the path parameters, by parameter name."""
    stops = client.get("/api/v1/transit/stops", query_string={"q": "天河", "limit": 3}).get_json()[
        "data"
    ]
    routes = client.get("/api/v1/transit/routes", query_string={"limit": 3}).get_json()["data"]
    numbers = [alice.application_number, bob.application_number]
    return {
        "citizen_id": [alice.citizen_id, bob.citizen_id],
        "hospital_id": [1, 2],
        "department_id": [1, 2],
        "doctor_id": [1, 2],
        "slot_id": [alice.slot_id, bob.slot_id],
        "appointment_id": [alice.appointment_id, bob.appointment_id],
        "number": numbers + [alice.ticket_number, bob.ticket_number],
        "request_id": numbers,
        "code": ["residence_permit", "passport"],
        "stop_id": [s["id"] for s in stops] or ["none"],
        "route_id": [r["id"] for r in routes] or ["none"],
    }


def assert_security_headers(response) -> None:
    headers = response.headers  # lower-case names, lists of values
    assert headers.get("x-content-type-options") == ["nosniff"], headers
    assert "frame-ancestors 'none'" in headers["content-security-policy"][0], headers
    assert headers.get("cache-control") == ["no-store"], headers


def assert_envelope(case, response) -> None:
    if response.status_code < 400 or case.path.startswith(OWN_FORMAT_PREFIXES):
        return
    body = response.json()
    assert isinstance(body, dict) and set(body) == {"errcode", "errmsg", "data"}, body
    assert isinstance(body["errcode"], int) and body["errcode"] // 100 == response.status_code
    assert isinstance(body["errmsg"], str) and body["errmsg"]


def test_fuzz_every_operation(app, client, auth, database_url):
    share = 1 if database_url.startswith("sqlite") else 4
    alice, bob = two_residents(app, client, auth)
    identities = [
        ("citizen", alice.headers),
        ("bot", bob.bot_headers),
        ("operator", operator_headers(auth)),
        ("none", {}),
    ]
    real_ids = known_path_values(client, alice, bob)
    config = schemathesis.Config.from_dict(
        {"checks": {"negative_data_rejection": {"expected-statuses": REJECTION_STATUSES}}}
    )
    schema = schemathesis.openapi.from_wsgi("/api/v1/openapi.json", app, config=config)
    sent, by_identity, failures = Counter(), Counter(), {}
    started = time.monotonic()
    operations = [result.ok() for result in schema.get_all_operations()]
    for operation in operations:
        for mode, examples in (
            (GenerationMode.POSITIVE, scaled(POSITIVE_EXAMPLES) // share),
            (GenerationMode.NEGATIVE, scaled(NEGATIVE_EXAMPLES) // share),
        ):

            @seed(FUZZ_SEED)
            @settings(
                max_examples=examples,
                deadline=None,
                database=None,
                suppress_health_check=list(HealthCheck),
                phases=[Phase.generate, Phase.shrink],
            )
            @given(
                case=operation.as_strategy(generation_mode=mode),
                who=st.sampled_from(identities),
                data=st.data(),
            )
            def fuzz(case, who, data):
                if case.path_parameters and data.draw(st.booleans(), label="real ids"):
                    for name in case.path_parameters:
                        if name in real_ids and mode is GenerationMode.POSITIVE:
                            case.path_parameters[name] = data.draw(st.sampled_from(real_ids[name]))
                name, headers = who
                response = case.call(headers=headers)
                sent[operation.label] += 1
                by_identity[name] += 1
                case.validate_response(response, checks=CHECKS, headers=headers)
                assert_envelope(case, response)
                assert_security_headers(response)

            try:
                fuzz()
            except Unsatisfiable:
                pass  # nothing in this operation can be made invalid (no parameters, no body)
            except (Exception, FailureGroup) as error:  # collected: every operation is tried
                failures[f"{operation.label} ({mode.value})"] = str(error)[:3000]
    elapsed = time.monotonic() - started
    total = sum(sent.values())
    print(
        f"\nfuzzed {total} requests on {database_url.split(':')[0]} over {len(operations)} "
        f"operations in {elapsed:.0f} s "
        f"(seed {FUZZ_SEED}; {dict(by_identity)})"
    )
    known = {
        name: reason
        for name, text in failures.items()
        for (label, sign), reason in KNOWN_ISSUES.items()
        if name.startswith(label + " ") and sign in text
    }
    unknown = {name: text for name, text in failures.items() if name not in known}
    assert not unknown, "\n\n".join(f"== {k}\n{v}" for k, v in unknown.items())
    assert {op.label for op in operations} <= set(sent), "operations never called"
    assert total >= scaled(MIN_REQUESTS) // share, total
    if known:
        pytest.xfail("known issues: " + "; ".join(sorted(set(known.values()))))
