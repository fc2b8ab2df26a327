"""The demo city's bus network as a GTFS feed, generated deterministically.

``seed_data/transit_demo.json`` names a grid of roads (each crossing is a stop), landmark
stations (each with a platform per direction of travel) and routes between landmarks. Every
road gets a route along it; the landmark routes follow the roads from landmark to landmark.
Timetables have weekday peaks and weekend service, follow the public-holiday calendar
(``seed_data/holidays.json``: holidays run the weekend timetable, make-up days the weekday one),
one route runs past midnight, a night route runs 22:30-02:00 (times up to 26:00:00) and the
"frequent" route is given as frequencies.txt. Names are Chinese with English translations.
The same input gives the same zip, byte for byte.
"""

from __future__ import annotations

import csv
import io
import json
import os
import random
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path

from ...city.geo import distance_metres
from .read import format_time

SEED_DATA = Path(__file__).resolve().parents[2] / "seed_data"
START, END = "20250101", "20301231"
ZIP_TIME = (2026, 1, 1, 0, 0, 0)
# (start, end, headway minutes) per timetable kind and service
PERIODS = {
    ("grid", "WD"): [
        (6.0, 7.0, 15),
        (7.0, 9.5, 8),
        (9.5, 16.5, 12),
        (16.5, 19.5, 8),
        (19.5, 22.5, 15),
    ],
    ("grid", "WE"): [(6.5, 9.0, 15), (9.0, 20.0, 12), (20.0, 22.0, 15)],
    ("day", "WD"): [
        (6.0, 7.0, 12),
        (7.0, 9.5, 6),
        (9.5, 16.5, 10),
        (16.5, 19.5, 6),
        (19.5, 23.0, 12),
    ],
    ("day", "WE"): [(6.5, 22.5, 10)],
    ("late", "WD"): [
        (5.5, 7.0, 10),
        (7.0, 9.5, 5),
        (9.5, 16.5, 8),
        (16.5, 19.5, 5),
        (19.5, 24.5, 10),
    ],
    ("late", "WE"): [(6.0, 24.5, 8)],
    ("night", "WD"): [(22.5, 26.0, 20)],
    ("night", "WE"): [(22.5, 26.0, 20)],
}
FREQUENT = {
    "WD": [(6.0, 7.0, 8), (7.0, 9.5, 4), (9.5, 16.5, 6), (16.5, 19.5, 4), (19.5, 23.0, 8)],
    "WE": [(6.5, 23.0, 6)],
}


def _speed(hour: float) -> float:
    """Metres per second between stops at that hour (peaks are slow)."""
    if 7 <= hour < 9.5 or 17 <= hour < 19.5:
        return 14 / 3.6
    if hour >= 22 or hour < 6.5:
        return 26 / 3.6
    return 19 / 3.6


@dataclass
class Network:
    stops: list[dict] = field(default_factory=list)
    crossing: dict[tuple[int, int], str] = field(default_factory=dict)  # cell -> stop id
    stations: dict[tuple[int, int], dict] = field(default_factory=dict)  # cell -> landmark
    platforms: dict[tuple[str, str], str] = field(default_factory=dict)  # (station, bound) -> id
    coords: dict[str, tuple[float, float]] = field(default_factory=dict)
    names: dict[str, str] = field(default_factory=dict)
    english: dict[str, str] = field(default_factory=dict)  # zh name -> en name


def build_network(spec: dict, rng: random.Random) -> Network:
    net = Network()
    grid, ew, ns = spec["grid"], spec["east_west_roads"], spec["north_south_roads"]
    cells = {}
    for r in range(len(ew)):
        for c in range(len(ns)):
            lat = grid["north"] - r * grid["lat_step"] + rng.uniform(-6e-4, 6e-4)
            lon = grid["west"] + c * grid["lon_step"] + rng.uniform(-6e-4, 6e-4)
            cells[(r, c)] = (round(lat, 6), round(lon, 6))
    for landmark in spec["landmarks"]:
        r = round((grid["north"] - landmark["lat"]) / grid["lat_step"])
        c = round((landmark["lon"] - grid["west"]) / grid["lon_step"])
        free = sorted(
            (abs(r - i) + abs(c - j), i, j) for i, j in cells if (i, j) not in net.stations
        )
        _, r, c = free[0]
        net.stations[(r, c)] = landmark
    pattern = spec["crossing_name"]
    for (r, c), (lat, lon) in sorted(cells.items()):
        landmark = net.stations.get((r, c))
        if landmark:
            zh, en, stop_id = landmark["zh"], landmark["en"], landmark["id"]
            net.stops.append(
                {
                    "stop_id": stop_id,
                    "stop_name": zh,
                    "stop_lat": lat,
                    "stop_lon": lon,
                    "location_type": 1,
                    "parent_station": "",
                    "platform_code": "",
                }
            )
        else:
            zh = pattern["zh"].format(ew=ew[r]["zh"], ns=ns[c]["zh"])
            en = pattern["en"].format(ew=ew[r]["en"], ns=ns[c]["en"])
            stop_id = f"s{r:02d}{c:02d}"
            net.stops.append(
                {
                    "stop_id": stop_id,
                    "stop_name": zh,
                    "stop_lat": lat,
                    "stop_lon": lon,
                    "location_type": 0,
                    "parent_station": "",
                    "platform_code": "",
                }
            )
        net.crossing[(r, c)] = stop_id
        net.coords[stop_id], net.names[stop_id], net.english[zh] = (lat, lon), zh, en
    return net


BOUNDS = {(0, 1): ("1", "E"), (0, -1): ("2", "W"), (1, 0): ("3", "S"), (-1, 0): ("4", "N")}


def stop_for(net: Network, cell: tuple[int, int], step: tuple[int, int]) -> str:
    """The stop a route uses at ``cell`` moving by ``step``: a station's platform for that
    direction of travel (created on first use), else the crossing's stop."""
    station = net.stations.get(cell)
    if station is None:
        return net.crossing[cell]
    code, _ = BOUNDS[step]
    key = (station["id"], code)
    if key not in net.platforms:
        lat, lon = net.coords[station["id"]]
        offset = {"1": (-1.5e-4, 0), "2": (1.5e-4, 0), "3": (0, 1.5e-4), "4": (0, -1.5e-4)}[code]
        stop_id = f"{station['id']}_{code}"
        net.platforms[key] = stop_id
        net.stops.append(
            {
                "stop_id": stop_id,
                "stop_name": station["zh"],
                "stop_lat": round(lat + offset[0], 6),
                "stop_lon": round(lon + offset[1], 6),
                "location_type": 0,
                "parent_station": station["id"],
                "platform_code": code,
            }
        )
        net.coords[stop_id], net.names[stop_id] = net.coords[station["id"]], station["zh"]
    return net.platforms[key]


def path_cells(points: list[tuple[int, int]]) -> list[tuple[int, int]]:
    """The crossings visited going from point to point along the roads (rows first)."""
    cells = [points[0]]
    for r, c in points[1:]:
        while cells[-1] != (r, c):
            cr, cc = cells[-1]
            step = (cr + (r > cr) - (r < cr), cc) if cr != r else (cr, cc + (c > cc) - (c < cc))
            cells.append(step)
    return cells


def stops_along(net: Network, cells: list[tuple[int, int]]) -> list[str]:
    out = []
    for i, cell in enumerate(cells):
        near = cells[i + 1] if i + 1 < len(cells) else cells[i - 1]
        sign = 1 if i + 1 < len(cells) else -1
        step = (sign * (near[0] - cell[0]), sign * (near[1] - cell[1]))
        out.append(stop_for(net, cell, step))
    return out


@dataclass
class Route:
    route_id: str
    short_name: str
    short_name_en: str | None
    color: str
    timetable: str
    cells: list[tuple[int, int]]
    multiplier: float = 1.0


def demo_routes(spec: dict, net: Network, rng: random.Random) -> list[Route]:
    where = {landmark["id"]: cell for cell, landmark in net.stations.items()}
    routes = [
        Route(
            s["route_id"],
            s["short_name"],
            s.get("short_name_en"),
            s["color"],
            s["timetable"],
            path_cells([where[v] for v in s["via"]]),
        )
        for s in spec["landmark_routes"]
    ]
    taken = {r.short_name for r in routes}
    numbers = [n for n in rng.sample(range(2, 300), 80) if str(n) not in taken]
    rows, cols = len(spec["east_west_roads"]), len(spec["north_south_roads"])
    lines = [[(r, c) for c in range(cols)] for r in range(rows)]
    lines += [[(r, c) for r in range(rows)] for c in range(cols)]
    for number, cells in zip(sorted(numbers[: len(lines)]), lines):
        routes.append(
            Route(
                str(number),
                str(number),
                None,
                f"{rng.randrange(0x1000000):06X}",
                "grid",
                cells,
                multiplier=rng.choice((1.0, 1.25, 1.5)),
            )
        )
    return routes


def _service_dates() -> list[tuple[str, str, int]]:
    data = json.loads((SEED_DATA / "holidays.json").read_text(encoding="utf-8"))
    rows = []
    for text in data["holidays"]:
        day = date.fromisoformat(text)
        if day.weekday() < 5:
            rows += [("WD", day.strftime("%Y%m%d"), 2), ("WE", day.strftime("%Y%m%d"), 1)]
    for text in data["workdays"]:
        day = date.fromisoformat(text)
        rows += [("WE", day.strftime("%Y%m%d"), 2), ("WD", day.strftime("%Y%m%d"), 1)]
    return sorted(rows)


def demo_tables(spec: dict) -> dict[str, list[dict]]:
    """Every file of the demo feed as rows (dicts in column order)."""
    rng = random.Random(20260101)
    net = build_network(spec, rng)
    routes = demo_routes(spec, net, rng)
    agency = spec["agency"]
    tables: dict[str, list[dict]] = {
        name: []
        for name in (
            "agency",
            "feed_info",
            "calendar",
            "calendar_dates",
            "routes",
            "trips",
            "stop_times",
            "frequencies",
            "shapes",
            "translations",
        )
    }
    tables["agency"].append(
        {
            "agency_id": agency["id"],
            "agency_name": agency["name"],
            "agency_url": agency["url"],
            "agency_timezone": agency["timezone"],
            "agency_lang": "zh",
            "agency_phone": agency["phone"],
        }
    )
    tables["feed_info"].append(
        {
            "feed_publisher_name": agency["name"],
            "feed_publisher_url": agency["url"],
            "feed_lang": "zh-CN",
            "feed_version": "demo-1",
        }
    )
    for service, days in (("WD", "1111100"), ("WE", "0000011")):
        tables["calendar"].append(
            {
                "service_id": service,
                **{
                    d: days[i]
                    for i, d in enumerate(
                        (
                            "monday",
                            "tuesday",
                            "wednesday",
                            "thursday",
                            "friday",
                            "saturday",
                            "sunday",
                        )
                    )
                },
                "start_date": START,
                "end_date": END,
            }
        )
    tables["calendar_dates"] = [
        {"service_id": s, "date": d, "exception_type": k} for s, d, k in _service_dates()
    ]
    long_pattern = spec["route_long_name"]
    translations = tables["translations"]
    for route in routes:
        outbound = stops_along(net, route.cells)
        inbound = stops_along(net, route.cells[::-1])
        first, last = net.names[outbound[0]], net.names[outbound[-1]]
        long_zh = long_pattern["zh"].format(first=first, last=last)
        long_en = long_pattern["en"].format(first=net.english[first], last=net.english[last])
        tables["routes"].append(
            {
                "route_id": route.route_id,
                "agency_id": agency["id"],
                "route_short_name": route.short_name,
                "route_long_name": long_zh,
                "route_type": 3,
                "route_color": route.color,
                "route_text_color": "FFFFFF",
            }
        )
        translations.append(_translation("routes", "route_long_name", long_en, value=long_zh))
        if route.short_name_en:
            translations.append(
                _translation(
                    "routes", "route_short_name", route.short_name_en, record=route.route_id
                )
            )
        for direction, stops in ((0, outbound), (1, inbound)):
            _trips(tables, net, route, direction, stops)
    for stop in net.stops:
        stop.update({"stop_code": "", "wheelchair_boarding": 1})
    tables["stops"] = net.stops
    for zh in sorted({s["stop_name"] for s in net.stops}):
        translations.append(_translation("stops", "stop_name", net.english[zh], value=zh))
        translations.append(_translation("trips", "trip_headsign", net.english[zh], value=zh))
    translations.append(
        _translation("agency", "agency_name", agency["name_en"], value=agency["name"])
    )
    return tables


def _translation(table: str, field_name: str, text: str, record: str = "", value: str = "") -> dict:
    return {
        "table_name": table,
        "field_name": field_name,
        "language": "en",
        "translation": text,
        "record_id": record,
        "field_value": value,
    }


def _trips(tables: dict, net: Network, route: Route, direction: int, stops: list[str]) -> None:
    shape_id = f"{route.route_id}-{direction}"
    points = [net.coords[s] for s in stops]
    along = [0.0]
    for a, b in zip(points, points[1:]):
        along.append(along[-1] + distance_metres(*a, *b))
    for seq, ((lat, lon), dist) in enumerate(zip(points, along), start=1):
        tables["shapes"].append(
            {
                "shape_id": shape_id,
                "shape_pt_lat": lat,
                "shape_pt_lon": lon,
                "shape_pt_sequence": seq,
                "shape_dist_traveled": round(dist, 1),
            }
        )
    headsign = net.names[stops[-1]]
    stagger = (sum(map(ord, route.route_id)) * 7 + direction * 3) % 6 * 60
    for service in ("WD", "WE"):
        if route.timetable == "frequent":
            trip_id = f"{route.route_id}-{service}-{direction}-T"
            _trip(
                tables,
                route,
                trip_id,
                service,
                direction,
                headsign,
                shape_id,
                stops,
                along,
                int(6 * 3600 + stagger),
            )
            for start, end, minutes in FREQUENT[service]:
                tables["frequencies"].append(
                    {
                        "trip_id": trip_id,
                        "start_time": format_time(int(start * 3600) + stagger),
                        "end_time": format_time(int(end * 3600) + stagger),
                        "headway_secs": minutes * 60,
                        "exact_times": 1,
                    }
                )
            continue
        for start, end, minutes in PERIODS[(route.timetable, service)]:
            headway = int(minutes * route.multiplier * 60)
            t = int(start * 3600) + stagger
            while t < end * 3600:
                clock = format_time(t)[:5].replace(":", "")
                trip_id = f"{route.route_id}-{service}-{direction}-{clock}"
                _trip(
                    tables, route, trip_id, service, direction, headsign, shape_id, stops, along, t
                )
                t += headway


def _trip(
    tables: dict,
    route: Route,
    trip_id: str,
    service: str,
    direction: int,
    headsign: str,
    shape_id: str,
    stops: list[str],
    along: list[float],
    departure: int,
) -> None:
    tables["trips"].append(
        {
            "route_id": route.route_id,
            "service_id": service,
            "trip_id": trip_id,
            "trip_headsign": headsign,
            "direction_id": direction,
            "shape_id": shape_id,
        }
    )
    t = float(departure)
    speed = _speed(departure / 3600)
    for seq, (stop_id, dist) in enumerate(zip(stops, along), start=1):
        if seq > 1:
            t += (dist - along[seq - 2]) / speed + 25  # running time and time at the stop
        clock = format_time(int(round(t)))
        tables["stop_times"].append(
            {
                "trip_id": trip_id,
                "arrival_time": clock,
                "departure_time": clock,
                "stop_id": stop_id,
                "stop_sequence": seq,
                "shape_dist_traveled": round(dist, 1),
            }
        )


def write_demo_feed(path: Path) -> Path:
    """Write the demo feed's zip to ``path`` (replacing it only when its bytes change)."""
    spec = json.loads((SEED_DATA / "transit_demo.json").read_text(encoding="utf-8"))
    tables = demo_tables(spec)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED) as archive:
        for name, rows in tables.items():
            if not rows:
                continue
            text = io.StringIO()
            writer = csv.DictWriter(text, fieldnames=list(rows[0]), lineterminator="\n")
            writer.writeheader()
            writer.writerows(rows)
            info = zipfile.ZipInfo(f"{name}.txt", date_time=ZIP_TIME)
            info.compress_type = zipfile.ZIP_DEFLATED
            archive.writestr(info, text.getvalue().encode("utf-8"))
    data = buffer.getvalue()
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists() or path.read_bytes() != data:
        tmp = path.with_name(f".{path.name}.{os.getpid()}.tmp")  # several seeds may race
        tmp.write_bytes(data)
        tmp.replace(path)
    return path
