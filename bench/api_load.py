"""The busiest mini-app endpoints under concurrent load, beside an endpoint that does nothing.

    .venv/bin/python bench/api_load.py [--clients 8] [--seconds 8] [--profile default|scale]

Starts the API as the launcher runs it (gunicorn with the profile's workers and threads; the
action server, the air feeder, the outbox worker and the bus simulator beside it, no Rasa) on
free ports with ``BENCH_NOOP_ENDPOINT=1``, on its own migrated, seeded database (a SQLite copy
in a temporary directory; the scale profile's PostgreSQL database). A benchmark citizen logs in
(development login), registers a patient and books three appointments. Then, for each endpoint
in turn, ``--clients`` threads with kept-alive connections send requests for ``--seconds``:

- ``GET /api/v1/noop`` — does nothing: the server's own cost (measured first and last);
- ``GET /api/v1/transit/stops/tianhe_coach_terminal/arrivals`` — the busiest demo station;
- ``GET /api/v1/air/now`` — the city's current AQI;
- ``GET /api/v1/appointments`` — the citizen's appointments, with their session token;
- ``GET /api/v1/slots?department_id=…&available=true`` — free slots of a department;
- ``GET /api/v1/health`` — for reference (it asks the database).

Prints requests per second, p50/p90/p99, errors, the API's CPU per request, and each endpoint's
throughput as a share of the no-op's. The load generator runs on the same 2 cores.
"""

from __future__ import annotations

import argparse
import http.client
import sys
import tempfile
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from urllib.parse import urlencode

sys.path.insert(0, str(Path(__file__).resolve().parent))

from common import Client, Series, cpu_seconds, prepared_profile

from launcher.stack import Ports, Stack

STATION = "tianhe_coach_terminal"
PATIENT = {"name": "王小明", "id_card": "11010519491231002X", "phone": "13800138000"}


def prepare_citizen(api: str) -> tuple[dict[str, str], int]:
    """A logged-in citizen with a patient and three booked appointments; returns the session
    headers and the department whose slots are searched."""
    client = Client(api)
    status, body = client.call(
        "POST", "/api/v1/auth/dev-login", {"identity": f"web:bench-api-{int(time.time())}"}
    )
    assert status == 200, body
    headers = {"Authorization": f"Bearer {body['data']['token']}"}
    client = Client(api, headers)
    status, body = client.call("POST", "/api/v1/patients", PATIENT)
    assert status in (200, 201), body
    patient = body["data"]["id"]
    _, body = client.call("GET", "/api/v1/departments?" + urlencode({"q": "心内科"}))
    department = body["data"]["items"][0]["id"]
    _, body = client.call(
        "GET", "/api/v1/slots?" + urlencode({"department_id": department, "available": "true"})
    )
    booked, days = 0, set()
    for slot in body["data"]["items"]:
        if slot["date"] in days:
            continue
        status, _ = client.call(
            "POST", "/api/v1/appointments", {"slot_id": slot["id"], "patient_id": patient}
        )
        if status in (200, 201):
            booked += 1
            days.add(slot["date"])
        if booked == 3:
            break
    assert booked == 3, f"only {booked} appointments could be booked"
    client.close()
    return headers, department


def hammer(
    name: str,
    api: str,
    path: str,
    headers: dict[str, str],
    clients: int,
    seconds: float,
    api_pid: int,
) -> Series:
    series, lock = Series(name), threading.Lock()
    warm = Client(api, headers)
    for _ in range(20):
        warm.call("GET", path)
    warm.close()
    start = threading.Barrier(clients + 1)
    deadline = [0.0]

    def work() -> None:
        client, latencies, errors = Client(api, headers), [], []
        start.wait()
        while time.perf_counter() < deadline[0]:
            began = time.perf_counter()
            try:
                status, body = client.call("GET", path)
                ok = status == 200 and isinstance(body, dict) and body.get("errcode") == 0
                problem = None if ok else f"HTTP {status} {str(body)[:120]}"
            except (OSError, http.client.HTTPException) as error:
                problem = f"{error.__class__.__name__}: {error}"
                client.close()
                client = Client(api, headers)
            if problem:
                errors.append(problem)
            else:
                latencies.append(time.perf_counter() - began)
        client.close()
        with lock:
            series.latencies.extend(latencies)
            series.errors.extend(errors)

    threads = [threading.Thread(target=work) for _ in range(clients)]
    for thread in threads:
        thread.start()
    cpu_before = cpu_seconds(api_pid)
    began = time.perf_counter()
    deadline[0] = began + seconds
    start.wait()
    for thread in threads:
        thread.join()
    series.seconds = time.perf_counter() - began
    series.cpu_ms["api"] = (cpu_seconds(api_pid) - cpu_before) * 1000 / max(1, series.count)
    return series


def main() -> int:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--seconds", type=float, default=8.0)
    parser.add_argument("--profile", default="default", choices=["default", "scale"])
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="api-load-") as tmp:
        work = Path(tmp)
        profile = prepared_profile(args.profile, work)
        stack = Stack(
            ports=Ports.free(),
            var_dir=work,
            profile=profile,
            with_rasa=False,
            env={"BENCH_NOOP_ENDPOINT": "1"},
        )
        stack.start()
        try:
            api_pid = next(p.popen.pid for p in stack.processes if p.name == "api")
            headers, department = prepare_citizen(stack.api_url)
            week = {
                "date_from": (date.today() + timedelta(days=1)).isoformat(),
                "date_to": (date.today() + timedelta(days=7)).isoformat(),
            }
            endpoints = [
                ("noop (baseline)", "/api/v1/noop", {}),
                (
                    "arrivals at the busiest station",
                    f"/api/v1/transit/stops/{STATION}/arrivals",
                    {},
                ),
                ("air now (city)", "/api/v1/air/now", {}),
                ("my appointments", "/api/v1/appointments", headers),
                (
                    "slot search (a week)",
                    "/api/v1/slots?"
                    + urlencode({"department_id": department, "available": "true", **week}),
                    headers,
                ),
                ("health (for reference)", "/api/v1/health", {}),
                ("noop (baseline, again)", "/api/v1/noop", {}),
            ]
            print(
                f"== API load, profile {args.profile}: gunicorn {profile.api_workers} workers x "
                f"{profile.api_threads} threads, {args.clients} clients, {args.seconds:.0f} s "
                f"each",
                flush=True,
            )
            results = []
            for name, path, extra in endpoints:
                series = hammer(
                    name, stack.api_url, path, extra, args.clients, args.seconds, api_pid
                )
                results.append(series)
                print(
                    series.line("req/s") + f"  API CPU {series.cpu_ms['api']:.2f} ms/req",
                    flush=True,
                )
        finally:
            stack.stop()
    baseline = (results[0].rate + results[-1].rate) / 2
    print(f"baseline (no-op, mean of first and last): {baseline:.0f} req/s")
    for series in results[1:-1]:
        print(
            f"  {series.name:<34} {series.rate / baseline:5.2f} of the no-op's throughput, "
            f"p99 {series.ms(99):.1f} ms"
        )
        for error in series.errors[:3]:
            print(f"    error: {error}")
    return 1 if any(s.errors for s in results) else 0


if __name__ == "__main__":
    sys.exit(main())
