"""Next-arrivals latency on a city-scale feed, through the HTTP API (prints figures; not a test).

    .venv/bin/python bench/arrivals.py [--database URL] [--requests 2000] [--keep]

1. Writes a synthetic city feed (a 75 x 70 grid of stops 400 m apart: 5,250 stops; a route
   along every row and column and 40 routes through the central interchange, both directions,
   every 20 minutes from 05:30 to 23:30, some trips running past midnight: about 1.4 million
   stop_times) and times ``import_feed`` on it (parse, check, bulk insert, switch).
2. Starts the API with gunicorn on a free port (2 workers x 4 threads, as ``make run`` does)
   and asks for the next 10 arrivals at the interchange (the busiest stop) from one client
   loop: first schedule-only, at moments spread over the service day; then with realtime data
   (the simulator's GTFS-Realtime for the whole city, ingested) at one moment.
3. Prints import time and p50/p90/p99/max latency of each series.

The database is emptied and migrated first: give it its own (default: database
``bench_transit`` on the local PostgreSQL server; a ``sqlite:///...`` URL works too).
"""

from __future__ import annotations

import argparse
import csv
import http.client
import json
import os
import random
import socket
import statistics
import subprocess
import sys
import tempfile
import time
from datetime import datetime, timedelta, timezone
from pathlib import Path
from urllib.parse import urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

import requests  # noqa: E402
from citizen_common.settings import DEFAULT_CITY_TIME_ZONE  # noqa: E402
from sqlalchemy import create_engine, inspect, text  # noqa: E402

from launcher.stack import api_server_command, free_port  # noqa: E402

ROWS, COLS, SPACING_DEG = 75, 70, 0.0036
HUB_ROUTES, HEADWAY, FIRST, LAST = 40, 20 * 60, 5 * 3600 + 1800, 23 * 3600 + 1800
ZONE = DEFAULT_CITY_TIME_ZONE  # the synthetic feed runs on the city's default zone


def write_feed(folder: Path) -> tuple[str, dict[str, int]]:
    """The synthetic feed as GTFS text files in ``folder``; returns the hub's stop id."""
    rng = random.Random(5)
    folder.mkdir(parents=True, exist_ok=True)
    center = (ROWS // 2, COLS // 2)

    def stop_id(cell):
        return f"S{cell[0]:03d}{cell[1]:03d}"

    def writer(name, header):
        handle = open(folder / name, "w", newline="", encoding="utf-8")
        out = csv.writer(handle, lineterminator="\n")
        out.writerow(header)
        return handle, out

    handle, out = writer(
        "agency.txt", ["agency_id", "agency_name", "agency_url", "agency_timezone"]
    )
    out.writerow(["bench", "Bench City Bus", "https://bench.example", ZONE])
    handle.close()
    handle, out = writer(
        "calendar.txt",
        [
            "service_id",
            "monday",
            "tuesday",
            "wednesday",
            "thursday",
            "friday",
            "saturday",
            "sunday",
            "start_date",
            "end_date",
        ],
    )
    out.writerow(["DAILY", 1, 1, 1, 1, 1, 1, 1, "20200101", "20351231"])
    handle.close()
    handle, out = writer("stops.txt", ["stop_id", "stop_name", "stop_lat", "stop_lon"])
    for r in range(ROWS):
        for c in range(COLS):
            out.writerow(
                [
                    stop_id((r, c)),
                    f"Street {r} / Avenue {c}",
                    round(23.0 + r * SPACING_DEG, 6),
                    round(113.2 + c * SPACING_DEG, 6),
                ]
            )
    handle.close()
    paths = [[(r, c) for c in range(COLS)] for r in range(ROWS)]
    paths += [[(r, c) for r in range(ROWS)] for c in range(COLS)]
    for _ in range(HUB_ROUTES):  # edge -> interchange -> edge, along the streets
        ends = [
            (rng.randrange(ROWS), 0),
            (rng.randrange(ROWS), COLS - 1),
            (0, rng.randrange(COLS)),
            (ROWS - 1, rng.randrange(COLS)),
        ]
        a, b = rng.sample(ends, 2)
        paths.append(_manhattan([a, center, b]))
    routes, trips = writer("routes.txt", ["route_id", "route_short_name", "route_type"])
    trip_handle, trip_out = writer(
        "trips.txt", ["route_id", "service_id", "trip_id", "direction_id", "trip_headsign"]
    )
    time_handle, time_out = writer(
        "stop_times.txt", ["trip_id", "arrival_time", "departure_time", "stop_id", "stop_sequence"]
    )
    counts = {"routes": 0, "trips": 0, "stop_times": 0}
    for n, path in enumerate(paths):
        route_id = f"R{n}"
        trips.writerow([route_id, str(n + 1), 3])
        counts["routes"] += 1
        for direction, cells in ((0, path), (1, path[::-1])):
            stops = [stop_id(cell) for cell in cells]
            offset = rng.randrange(HEADWAY)
            late = rng.random() < 0.2  # a fifth of the routes run until 01:30
            for start in range(FIRST + offset, LAST + (7200 if late else 0), HEADWAY):
                trip_id = f"{route_id}-{direction}-{start}"
                trip_out.writerow([route_id, "DAILY", trip_id, direction, stops[-1]])
                counts["trips"] += 1
                for seq, stop in enumerate(stops, start=1):
                    t = start + (seq - 1) * 75
                    clock = f"{t // 3600:02d}:{t % 3600 // 60:02d}:{t % 60:02d}"
                    time_out.writerow([trip_id, clock, clock, stop, seq])
                counts["stop_times"] += len(stops)
    for h in (routes, trip_handle, time_handle):
        h.close()
    return stop_id(center), counts


def _manhattan(points):
    cells = [points[0]]
    for r, c in points[1:]:
        while cells[-1] != (r, c):
            cr, cc = cells[-1]
            step = (cr + (r > cr) - (r < cr), cc) if cr != r else (cr, cc + (c > cc) - (c < cc))
            cells.append(step)
    return cells


class ServerTimes:
    """Request durations gunicorn logged (``%(D)s``: microseconds), series by series."""

    def __init__(self, path: Path) -> None:
        self.path, self.offset = path, 0

    def skip(self) -> None:
        time.sleep(0.5)  # let the workers flush their lines
        self.offset = self.path.stat().st_size if self.path.exists() else 0

    def read(self) -> list[float]:
        time.sleep(0.5)
        with open(self.path, encoding="utf-8") as handle:
            handle.seek(self.offset)
            lines = handle.read().splitlines()
        self.offset = self.path.stat().st_size
        return [int(line.split()[0]) / 1000 for line in lines if "/arrivals" in line]


def load() -> str:
    one, five, _ = os.getloadavg()
    return f"machine load average {one:.1f} (1 min), {five:.1f} (5 min) on {os.cpu_count()} cores"


def reset_database(url: str) -> None:
    engine = create_engine(url)
    with engine.begin() as connection:
        for table in inspect(connection).get_table_names():
            connection.execute(text(f'DROP TABLE IF EXISTS "{table}" CASCADE'))
    engine.dispose()


def percentiles(samples: list[float]) -> str:
    ordered = sorted(samples)
    pick = lambda q: ordered[min(len(ordered) - 1, int(q * len(ordered)))]  # noqa: E731
    return (
        f"p50 {statistics.median(ordered):6.2f} ms   p90 {pick(0.90):6.2f} ms   "
        f"p99 {pick(0.99):6.2f} ms   max {ordered[-1]:6.2f} ms   (n={len(ordered)})"
    )


class Client:
    """One keep-alive HTTP connection (``http.client``: the lightest client, so the figures are
    the server's and the network's, not the client library's)."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.connection = self._connect()

    def _connect(self) -> http.client.HTTPConnection:
        connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=30)
        connection.connect()
        connection.sock.setsockopt(socket.IPPROTO_TCP, socket.TCP_NODELAY, 1)
        return connection

    def get(self, path: str, params: dict) -> dict:
        for attempt in range(2):
            try:
                self.connection.request("GET", f"{path}?{urlencode(params)}")
                response = self.connection.getresponse()
                body = response.read()
                break
            except (http.client.RemoteDisconnected, ConnectionError):
                self.connection.close()
                self.connection = self._connect()
                if attempt:
                    raise
        if response.status != 200:
            raise RuntimeError(f"{path}: HTTP {response.status}")
        return json.loads(body)


def measure(client: Client, path: str, moments: list[datetime]) -> tuple[list[float], int]:
    samples, found = [], 0
    for moment in moments:
        started = time.perf_counter()
        body = client.get(path, {"at": moment.isoformat(), "limit": 10})
        samples.append((time.perf_counter() - started) * 1000)
        found += len(body["data"]["arrivals"])
    return samples, found


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument(
        "--database", default="postgresql+psycopg://postgres@127.0.0.1:5432/bench_transit"
    )
    parser.add_argument("--requests", type=int, default=2000)
    parser.add_argument("--keep", action="store_true", help="keep the feed folder")
    args = parser.parse_args()
    os.environ["DATABASE_URL"] = args.database
    os.environ.setdefault("CITIZEN_PROFILE", "development")

    from miniapp_api import create_app
    from miniapp_api.cli import upgrade_database
    from miniapp_api.db import db
    from miniapp_api.transit.gtfs.importer import import_feed
    from miniapp_api.transit.realtime.simulator import simulate_once

    work = Path(tempfile.mkdtemp(prefix="bench-arrivals-"))
    started = time.perf_counter()
    hub, counts = write_feed(work / "feed")
    print(
        f"feed: {ROWS * COLS:,} stops, {counts['routes']} routes, {counts['trips']:,} trips, "
        f"{counts['stop_times']:,} stop_times (written in {time.perf_counter() - started:.1f} s)"
    )
    reset_database(args.database)
    app = create_app()
    with app.app_context():
        upgrade_database()
        started = time.perf_counter()
        result = import_feed(work / "feed")
        seconds = time.perf_counter() - started
        assert result.report.ok, result.report.as_dict()["errors"][:5]
        phases = ", ".join(f"{name} {value:.1f} s" for name, value in result.phases.items())
        print(
            f"import: {seconds:.1f} s on {db.engine.dialect.name} ({phases}; "
            f"{counts['stop_times'] / seconds:,.0f} stop_times/s)"
        )
        db.engine.dispose()

    port = free_port()
    access_log = work / "access.log"
    server = subprocess.Popen(
        api_server_command(
            port,
            2,
            4,
            "--log-level",
            "warning",
            "--access-logfile",
            str(access_log),
            "--access-logformat",
            "%(D)s %(U)s",
        ),
        cwd=ROOT,
        env={**os.environ, "PYTHONPATH": str(ROOT)},
    )
    server_times = ServerTimes(access_log)
    base = f"http://127.0.0.1:{port}/api/v1"
    try:
        deadline = time.monotonic() + 60
        while True:
            try:
                if requests.get(f"{base}/health", timeout=2).status_code == 200:
                    break
            except requests.RequestException:
                pass
            if time.monotonic() > deadline:
                raise SystemExit("the API did not start")
            time.sleep(0.3)
        client = Client(port)
        url = f"/api/v1/transit/stops/{hub}/arrivals"
        rng = random.Random(7)
        zone_offset = timezone(timedelta(hours=8))
        day = datetime(2026, 11, 25, tzinfo=zone_offset)
        warm = [day + timedelta(hours=8)] * 50
        measure(client, url, warm)  # each worker loads the network once
        server_times.skip()
        moments = [
            day + timedelta(seconds=rng.randrange(6 * 3600, 24 * 3600 + 3600))
            for _ in range(args.requests)
        ]
        samples, found = measure(client, url, moments)
        print(
            f"arrivals at the interchange {hub}, schedule only, moments 06:00-01:00:\n"
            f"  client {percentiles(samples)}; {found / len(moments):.1f} arrivals per answer\n"
            f"  server {percentiles(server_times.read())}; {load()}"
        )

        moment = day + timedelta(hours=8)
        with app.app_context():
            started = time.perf_counter()
            outcome = simulate_once(work / "realtime.pb", now=moment)
            print(
                f"realtime: {outcome['simulated']['trips']:,} trips and "
                f"{outcome['simulated']['vehicles']:,} vehicles simulated and ingested in "
                f"{time.perf_counter() - started:.1f} s"
            )
            db.engine.dispose()
        moments = [moment + timedelta(seconds=rng.randrange(60)) for _ in range(args.requests)]
        measure(client, url, moments[:50])  # the statements are planned again for the new rows
        server_times.skip()
        samples, found = measure(client, url, moments)
        print(
            f"arrivals at the interchange {hub}, fresh realtime at 08:00:\n"
            f"  client {percentiles(samples)}; {found / len(moments):.1f} arrivals per answer\n"
            f"  server {percentiles(server_times.read())}; {load()}"
        )
        samples = []
        for _ in range(200):
            started = time.perf_counter()
            client.get("/api/v1/transit/stops", {"q": "Street 37 / Avenue 35"})
            samples.append((time.perf_counter() - started) * 1000)
        print(f"stop search by name: client {percentiles(samples)}")
    finally:
        server.terminate()
        server.wait(10)
        if not args.keep:
            import shutil

            shutil.rmtree(work, ignore_errors=True)
    return 0


if __name__ == "__main__":
    sys.exit(main())
