"""The air-quality API: reports for the city, a district, a station or a location."""

from miniapp_api.seed import seed_demo_data


def get(client, path, **params):
    response = client.get(path, query_string=params)
    return response.status_code, response.get_json()


def test_station_report_by_code_and_by_location(client, air_network):
    status, body = get(client, "/api/v1/air/now", station="1347A")
    assert status == 200
    data = body["data"]
    assert data["place"] == {"kind": "station", "code": "1347A", "name": "天河职幼"}
    report = data["report"]
    # 1-hour values: PM2.5 80 -> IAQI 119 (24-hour breakpoints apply to PM 1-hour values).
    pm25 = next(p for p in report["pollutants"] if p["code"] == "pm25")
    assert (pm25["iaqi"], pm25["unit"], pm25["status"]) == (119, "μg/m³", "ok")
    assert report["aqi"] == 119 and report["level"] == 3 and report["category"] == "轻度污染"
    assert report["color_hex"] == "#FF7E00"
    assert report["primary_pollutants"] == [
        {"code": "pm25", "indicator": "pm25_1h", "name": "PM2.5"}
    ]
    assert report["sensitive_groups"]  # PM2.5 above IAQI 100
    _, near = get(client, "/api/v1/air/now", lat=23.1330, lon=113.3410)
    assert near["data"]["place"]["code"] == "1347A"


def test_district_is_the_mean_of_its_stations(client, air_network):
    _, body = get(client, "/api/v1/air/now", district="haizhu", lang="en")
    data = body["data"]
    assert data["place"] == {"kind": "district", "code": "haizhu", "name": "Haizhu"}
    pollutants = {p["code"]: p for p in data["report"]["pollutants"]}
    assert (pollutants["pm25"]["concentration"], pollutants["pm25"]["iaqi"]) == (40, 60)
    assert data["report"]["category"] == "Good"
    _, body = get(client, "/api/v1/air/now", district="yuexiu")
    pollutants = {p["code"]: p for p in body["data"]["report"]["pollutants"]}
    assert pollutants["no2"]["concentration"] == 20  # Luhu's missing NO2 is not a zero


def test_missing_pollutant_follows_the_standard(client, air_network):
    _, body = get(client, "/api/v1/air/now", station="1354A")
    report = body["data"]["report"]
    no2 = next(p for p in report["pollutants"] if p["code"] == "no2")
    assert no2["status"] == "NA" and no2["iaqi"] is None
    # AQI <= 100 with a pollutant missing is not published.
    assert report["aqi"] is None and report["aqi_status"] == "NA" and not report["published"]


def test_2012_edition_is_selectable(client, air_network):
    _, body = get(client, "/api/v1/air/now", station="1348A", standard="2012")
    report = body["data"]["report"]
    assert report["standard"] == "HJ 633-2012"
    assert {p["indicator"] for p in report["pollutants"]} >= {"o3_8h", "pm25_24h"}


def test_unknown_place_and_bad_queries(client, air_network):
    assert get(client, "/api/v1/air/now", district="atlantis")[0] == 404
    assert get(client, "/api/v1/air/now", station="0000X")[0] == 404
    status, body = get(client, "/api/v1/air/now", lat=91, lon=0)
    assert status == 422 and "lat" in body["data"]["errors"]["query"]
    assert get(client, "/api/v1/air/now", lat=23.1)[0] == 422
    assert get(client, "/api/v1/air/now", standard="1999")[0] == 422
    assert get(client, "/api/v1/air/hours", hours=1000)[0] == 422


def test_far_away_location_answers_for_the_city(client, air_network):
    _, body = get(client, "/api/v1/air/now", lat=39.9, lon=116.4)
    assert body["data"]["place"]["kind"] == "city"


def test_history_and_daily_reports_on_demo_data(app, client):
    with app.app_context():
        seed_demo_data()
    status, body = get(client, "/api/v1/air/hours", district="tianhe")
    assert status == 200 and len(body["data"]["hours"]) == 24
    starts = [h["hour_start"] for h in body["data"]["hours"]]
    assert starts == sorted(starts)
    status, body = get(client, "/api/v1/air/days", days=7)
    assert status == 200 and len(body["data"]["days"]) == 7
    for day in body["data"]["days"]:
        report = day["report"]
        assert report["report"] == "daily"
        assert {p["indicator"] for p in report["pollutants"]} == {
            "so2_24h",
            "no2_24h",
            "co_24h",
            "o3_8h",
            "pm10_24h",
            "pm25_24h",
        }
        assert report["aqi"] is None or 1 <= report["aqi"] <= 500


def test_stations_list(client, air_network):
    _, body = get(client, "/api/v1/air/stations", lang="en")
    assert len(body["data"]) == 10
    assert body["data"][0]["code"] == "1345A" and body["data"][0]["district"] == "liwan"
