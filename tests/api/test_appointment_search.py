"""Searching the demo network: names, short names, English names, aliases, specialties and typos;
slot listings; and the demo data itself (deterministic, idempotent, rolled forward)."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import func, select

from miniapp_api.appointments.models import Department, Doctor, Hospital, Slot
from miniapp_api.appointments.seed import load, plan_doctors, seed_appointments
from miniapp_api.db import db

from .appointment_support import NOW, TODAY, Clock, id_card, phone

EN = {"Accept-Language": "en"}


@pytest.fixture
def app(app_factory):
    return app_factory(APPOINTMENT_CLOCK=Clock())


@pytest.fixture
def network(app):
    with app.app_context():
        return seed_appointments()


def items(client, path, **headers):
    response = client.get(path, headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    return response.get_json()["data"]["items"]


def names(found):
    return [item["name"] for item in found]


def hospital_id(client, name):
    return next(h["id"] for h in items(client, "/api/v1/hospitals") if h["name"] == name)


# --- demo data -------------------------------------------------------------------------------
def test_demo_network_size(app, network):
    assert network["hospitals"] >= 5 and network["departments"] >= 40
    assert network["doctors"] >= 150
    with app.app_context():
        dates = db.session.scalars(select(Slot.date).distinct()).all()
        assert sorted(dates)[0] == TODAY and len(dates) == 14
        titles = set(db.session.scalars(select(Doctor.title)))
        assert titles == {"chief", "associate_chief", "attending"}


def test_demo_data_is_deterministic():
    assert plan_doctors(load()) == plan_doctors(load())
    doctor = plan_doctors(load())["xiehe-cardiology"][0]
    assert doctor.fields["title"] == "chief" and doctor.code == "xiehe-cardiology-1"


def test_seeding_is_idempotent_and_rolls_forward(app, client, auth, network):
    with app.app_context():
        before = {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (("h", Hospital), ("d", Department), ("doc", Doctor), ("s", Slot))
        }
        again = seed_appointments()
        assert again["slots_added"] == 0
        assert {
            name: db.session.scalar(select(func.count()).select_from(model))
            for name, model in (("h", Hospital), ("d", Department), ("doc", Doctor), ("s", Slot))
        } == before
    # Book a slot, then seed three days later: the booked slot stays as it is.
    headers = auth.citizen("web:roller")[1]
    patient = client.post(
        "/api/v1/patients",
        headers=headers,
        json={"name": "Roll", "id_card": id_card(1), "phone": phone(1)},
    ).get_json()["data"]["id"]
    free = items(client, "/api/v1/slots?department_id=1&available=true")[0]
    booked = client.post(
        "/api/v1/appointments", headers=headers, json={"slot_id": free["id"], "patient_id": patient}
    )
    assert booked.status_code == 201
    with app.app_context():
        rolled = seed_appointments(today=TODAY + timedelta(days=3))
        assert rolled["slots_added"] > 0
        last = db.session.scalar(select(func.max(Slot.date)))
        assert last == TODAY + timedelta(days=16)
        slot = db.session.get(Slot, free["id"])
        assert slot.remaining == free["remaining"] - 1
        assert seed_appointments(today=TODAY + timedelta(days=3))["slots_added"] == 0


# --- hospitals -------------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query",
    [
        "协和医院",
        "协和",
        "协合医院",
        "協和醫院",  # traditional script
        "Xiehe",
        "xeihe",
        "peking union",
        "Peking Unoin",
        "union medical college hospital",
        "PUMCH",
    ],
)
def test_hospital_names_short_names_english_and_typos(client, network, query):
    found = items(client, f"/api/v1/hospitals?q={query}")
    assert found[0]["name"] == "协和医院", (query, names(found))


def test_exact_match_ranks_first_and_scores(client, network):
    found = items(client, "/api/v1/hospitals?q=协和医院")
    assert found[0]["score"] == 1.0
    typo = items(client, "/api/v1/hospitals?q=协合医院")
    assert 0.6 <= typo[0]["score"] < 1.0


def test_shared_word_is_ambiguous(client, network):
    found = items(client, "/api/v1/hospitals?q=人民医院")
    assert {"市第一人民医院", "市第二人民医院"} <= set(names(found))
    first, second = found[0], found[1]
    assert first["score"] == second["score"]  # equally good: the bot must ask
    assert names(items(client, "/api/v1/hospitals?q=市一医院"))[0] == "市第一人民医院"
    assert names(items(client, "/api/v1/hospitals?q=第二人民医院"))[0] == "市第二人民医院"


def test_hospital_shape_and_english(client, network):
    [xiehe] = items(client, "/api/v1/hospitals?q=Xiehe", **EN)
    assert xiehe["name"] == "Union Medical College Hospital"
    assert xiehe["district"] == {"code": "tianhe", "name": "Tianhe"}
    assert xiehe["level"] == "Grade III-A" and xiehe["level_code"] == "3a"
    assert "Xiehe" in xiehe["short_names"] and xiehe["address"] and xiehe["phone"]
    one = client.get(f"/api/v1/hospitals/{xiehe['id']}").get_json()["data"]
    assert one["name"] == "协和医院" and one["level"] == "三甲" and one["score"] is None


@pytest.mark.parametrize("district", ["tianhe", "天河区", "天河", "Tianhe"])
def test_hospitals_by_district(client, network, district):
    found = items(client, f"/api/v1/hospitals?district={district}")
    assert set(names(found)) == {"协和医院", "市妇女儿童医疗中心"}


def test_nothing_found_and_unknown_ids(client, network):
    assert items(client, "/api/v1/hospitals?q=火星医院") == []
    assert items(client, "/api/v1/hospitals?district=atlantis") == []
    body = client.get("/api/v1/hospitals/999999").get_json()
    assert body["errcode"] == 40410
    assert client.get("/api/v1/departments?hospital_id=999999").get_json()["errcode"] == 40410
    assert client.get("/api/v1/departments/999999").get_json()["errcode"] == 40411
    assert client.get("/api/v1/doctors/999999").get_json()["errcode"] == 40412
    assert client.get("/api/v1/slots/999999").get_json()["errcode"] == 40413
    assert client.get("/api/v1/hospitals?limit=0").status_code == 422


# --- departments -----------------------------------------------------------------------------
@pytest.mark.parametrize(
    "query, expected",
    [
        ("心内科", "心内科"),
        ("心血管内科", "心内科"),
        ("心内", "心内科"),
        ("cardiology", "心内科"),
        ("cardiologist", "心内科"),
        ("heart", "心内科"),
        ("Cardiolgy", "心内科"),
        ("皮肤科", "皮肤科"),
        ("皮肤课", "皮肤科"),
        ("皮肤性病科", "皮肤科"),
        ("dermatologist", "皮肤科"),
        ("skin", "皮肤科"),
        ("dermatolgist", "皮肤科"),
        ("眼科", "眼科"),
        ("eye doctor", "眼科"),
    ],
)
def test_department_aliases_both_languages_and_typos(client, network, query, expected):
    xiehe = hospital_id(client, "协和医院")
    found = items(client, f"/api/v1/departments?hospital_id={xiehe}&q={query}")
    assert found and found[0]["name"] == expected, (query, names(found))
    assert found[0]["hospital"] == {"id": xiehe, "name": "协和医院"}


def test_department_search_across_hospitals(client, network):
    found = items(client, "/api/v1/departments?q=dermatologist&limit=50", **EN)
    assert len(found) == 5 and set(names(found)) == {"Dermatology"}  # five have one
    assert len({d["hospital"]["id"] for d in found}) == 5
    assert "dermatologist" in found[0]["aliases"]


def test_short_typo_does_not_match_another_name(client, network):
    xiehe = hospital_id(client, "协和医院")
    assert names(items(client, f"/api/v1/departments?hospital_id={xiehe}&q=heart")) == ["心内科"]


# --- doctors ---------------------------------------------------------------------------------
def test_doctors_by_specialty_and_name(client, network):
    xiehe = hospital_id(client, "协和医院")
    by_specialty = items(client, f"/api/v1/doctors?hospital_id={xiehe}&q=高血压")
    assert by_specialty and all("高血压" in d["specialties"] for d in by_specialty)
    english = items(client, f"/api/v1/doctors?hospital_id={xiehe}&q=hypertension", **EN)
    assert [d["id"] for d in english] == [d["id"] for d in by_specialty]
    doctor = by_specialty[0]
    assert names(items(client, f"/api/v1/doctors?q={doctor['name']}"))[0] == doctor["name"]
    assert doctor["title"] in {"主任医师", "副主任医师", "主治医师"}
    assert (
        doctor["fee"] in {50.0, 35.0, 20.0}
        and "50"
        in items(client, f"/api/v1/doctors?department_id={doctor['department']['id']}")[0][
            "fee_text"
        ]
    )


def test_doctors_of_a_department(client, network):
    department = items(client, "/api/v1/departments?q=皮肤科&limit=1")[0]
    found = items(client, f"/api/v1/doctors?department_id={department['id']}")
    assert 3 <= len(found) <= 5
    assert {d["department"]["id"] for d in found} == {department["id"]}


# --- slots -----------------------------------------------------------------------------------
def test_slots_default_to_the_bookable_window(client, network):
    found = items(client, "/api/v1/slots?department_id=1")
    dates = {s["date"] for s in found}
    assert min(dates) >= "2026-11-25" and max(dates) <= "2026-12-01"
    starts = [s["starts_at"] for s in found]
    assert starts == sorted(starts)
    assert all(s["department"]["id"] == 1 for s in found)
    assert any(s["bookable"] for s in found)
    assert all(s["bookable"] == (s["remaining"] > 0) for s in found)


def test_slot_filters(client, network):
    today = items(client, "/api/v1/slots?department_id=1&date_from=2026-11-24&date_to=2026-11-24")
    assert today and not any(s["bookable"] for s in today)  # bookable from tomorrow
    free = items(client, "/api/v1/slots?department_id=1&available=true&period=afternoon")
    assert free and all(s["bookable"] and s["period"] == "afternoon" for s in free)
    doctor = free[0]["doctor"]["id"]
    mine = items(
        client, f"/api/v1/slots?doctor_id={doctor}&date_from=2026-11-24&date_to=2026-12-07"
    )
    assert {s["doctor"]["id"] for s in mine} == {doctor}
    full = [
        s for s in items(client, "/api/v1/slots?department_id=1&limit=500") if s["remaining"] == 0
    ]
    assert all(not s["bookable"] for s in full)


@pytest.mark.parametrize(
    "query, errcode",
    [
        ("", 42211),
        ("hospital_id=1", 42211),
        ("department_id=1&date_from=2026-11-30&date_to=2026-11-26", 42212),
        ("department_id=1&date_from=2026-11-01&date_to=2026-12-30", 42212),
        ("department_id=1&period=night", 42200),
        ("department_id=1&date_from=tomorrow", 42200),
        ("department_id=999999", 40411),
        ("doctor_id=999999", 40412),
    ],
)
def test_slot_query_errors(client, network, query, errcode):
    response = client.get(f"/api/v1/slots?{query}")
    assert response.get_json()["errcode"] == errcode
    assert not response.get_json()["errmsg"].startswith("error.")


def test_now_is_the_configured_clock(app_factory):
    later = app_factory(APPOINTMENT_CLOCK=Clock(NOW + timedelta(days=3)))
    with later.app_context():
        seed_appointments()
    found = items(later.test_client(), "/api/v1/slots?department_id=1")
    assert min(s["date"] for s in found) == "2026-11-28"
