"""The pure transit rules: delay propagation, where a vehicle is, service days, names."""

from __future__ import annotations

from datetime import date, datetime, timedelta, timezone
from zoneinfo import ZoneInfo

import pytest

from miniapp_api.transit import arrivals as a
from miniapp_api.transit.gtfs.read import format_time, parse_time
from miniapp_api.transit.search import route_key, stop_key
from miniapp_api.transit.service_days import Service, day_start, service_moment

STAMP = datetime(2026, 11, 25, tzinfo=timezone.utc)


def realtime(*updates, delay=None, relationship="SCHEDULED"):
    stops = tuple(a.StopUpdate(*u) for u in updates)
    return a.TripRealtime(relationship, delay, stops, None, STAMP)


# The specification's example: 300 s at stop_sequence 3, 60 s at 8, unknown from 10.
# (index, sequence, arrival delay, departure delay, relationship)
SPEC_EXAMPLE = [(2, 3, 300, None, "S"), (7, 8, 60, None, "S"), (9, 10, None, None, "N")]


@pytest.mark.parametrize(
    "updates, index, expected",
    [
        (SPEC_EXAMPLE, 1, (None, None, False)),
        (SPEC_EXAMPLE, 4, (300, 300, False)),
        (SPEC_EXAMPLE, 8, (60, 60, False)),
        (SPEC_EXAMPLE, 15, (None, None, False)),
        # A departure delay is what the later stops inherit.
        ([(2, 3, 120, 180, "S")], 5, (180, 180, False)),
        ([(2, 3, 120, 180, "S")], 2, (120, 180, False)),
        # Only a departure given: the arrival takes it too.
        ([(2, 3, None, 90, "S")], 2, (90, 90, False)),
        # A skipped stop is not served; the delay before it carries past it.
        ([(2, 3, 240, None, "S"), (4, 5, None, None, "K")], 4, (240, 240, True)),
        ([(2, 3, 240, None, "S"), (4, 5, None, None, "K")], 6, (240, 240, False)),
    ],
)
def test_delay_propagation(updates, index, expected):
    assert a.delays_at(realtime(*updates), index) == expected


def test_trip_delay_covers_the_stops_before_the_first_update():
    rt = realtime((5, 6, 30, None, "S"), delay=200)
    assert a.delays_at(rt, 2) == (200, 200, False)
    assert a.delays_at(rt, 7) == (30, 30, False)


def visit(arrival: int, departure: int | None = None, index: int = 3, trip: int = 1) -> a.Visit:
    return a.Visit(
        trip,
        10,
        index + 1,
        index,
        arrival,
        departure or arrival,
        900.0,
        None,
        0,
        0,
        7,
        0,
        date(2026, 11, 25),
        STAMP,
    )


def test_cancelled_and_skipped_arrivals():
    assert a.arrival_of(visit(3600), realtime(relationship="CANCELED")).status == "canceled"
    skipped = a.arrival_of(visit(3600), realtime((3, 4, None, None, "K")))
    assert skipped.status == "skipped"
    on_time = a.arrival_of(visit(3600, 3630), realtime((1, 2, 120, None, "S")))
    assert on_time.predicted_arrival == STAMP + timedelta(seconds=3720)
    assert on_time.predicted_departure == STAMP + timedelta(seconds=3750)


def test_next_arrivals_order_window_and_departed():
    now = STAMP + timedelta(seconds=3600)
    candidates = [
        (visit(3500, 3590, trip=1), None),  # left before now
        (visit(3590, 3620, trip=2), None),  # at the stop now: still catchable
        (visit(3700, trip=3), realtime((3, 4, 600, None, "S"))),  # 10 min late
        (visit(3900, trip=4), None),
        (visit(9000, trip=5), None),
    ]  # beyond the hour
    found = a.next_arrivals(candidates, now, timedelta(hours=1), 10)
    assert [int((f.arrival - STAMP).total_seconds()) for f in found] == [3590, 3900, 4300]


CALLS = [a.Call(i, 180 * i, 180 * i + 30, 500.0 * i, 23.1 + i / 1000, 113.3) for i in range(6)]


@pytest.mark.parametrize(
    "now, expected",
    [
        (-60, (0, 0.0)),  # not yet left the first stop
        (15, (0, 0.0)),  # dwelling at the first stop
        (30 + 75, (1, 250.0)),  # half way to stop 1 (30 s -> 180 s)
        (190, (1, 500.0)),  # at stop 1
        (5000, (6, 2500.0)),  # finished
    ],
)
def test_progress_by_time(now, expected):
    index, along, _ = a.progress_by_time(CALLS, now)
    assert (index, round(along, 1)) == expected


def test_progress_by_time_on_part_of_a_trip_and_with_delays():
    index, along, _ = a.progress_by_time(CALLS[2:], 400)
    assert index == 3 and 1000 < along < 1500
    # 180 s late everywhere: at 400 s the bus is where it should have been at 220 s.
    index, along, _ = a.progress_by_time(CALLS, 400, [(180, 180)] * 6)
    assert index == 2 and 500 < along < 1000


def test_progress_of_a_vehicle():
    stopped = a.Vehicle("bus", 23.103, 113.3, 3, "STOPPED_AT", STAMP)
    assert a.progress_of_vehicle(CALLS, stopped) == (3, 1500.0)
    moving = a.Vehicle("bus", 23.1035, 113.3, 4, "IN_TRANSIT_TO", STAMP)
    index, along = a.progress_of_vehicle(CALLS, moving)
    assert index == 4 and along == pytest.approx(1750.0, abs=5)


def test_service_day_is_noon_minus_twelve_hours_across_clock_changes():
    la = ZoneInfo("America/Los_Angeles")
    # 9 March 2008, clocks went forward at 02:00: GTFS 08:00:00 is 08:00 PDT.
    assert service_moment(date(2008, 3, 9), 8 * 3600, la).astimezone(la).hour == 8
    assert day_start(date(2008, 3, 9), la).astimezone(la) == datetime(2008, 3, 8, 23, tzinfo=la)
    shanghai = ZoneInfo("Asia/Shanghai")
    assert service_moment(date(2026, 11, 24), 25 * 3600 + 600, shanghai).astimezone(
        shanghai
    ) == datetime(2026, 11, 25, 1, 10, tzinfo=shanghai)


def test_calendar_with_exceptions():
    service = Service(
        "1111100",
        date(2026, 1, 1),
        date(2026, 12, 31),
        added={date(2026, 2, 28)},
        removed={date(2026, 10, 1)},
    )
    assert service.runs_on(date(2026, 11, 25))  # a Wednesday
    assert not service.runs_on(date(2026, 11, 28))  # a Saturday
    assert service.runs_on(date(2026, 2, 28))  # a make-up working Saturday
    assert not service.runs_on(date(2026, 10, 1))  # National Day
    assert not service.runs_on(date(2027, 1, 4))  # after the end date


def test_gtfs_times():
    assert parse_time("25:10:00") == 90600 and parse_time("6:00:00") == 21600
    assert parse_time("24:7:00") is None and parse_time("x") is None
    assert parse_time("1:60:00") is None
    assert format_time(90600) == "25:10:00"


@pytest.mark.parametrize(
    "text, key",
    [
        ("体育中心站", "体育中心"),
        ("天河客运站", "天河客运"),
        ("Zhujiang New Town Station", "zhujiangnewtown"),
        ("ＢＲＴ体育中心", "brt体育中心"),
    ],
)
def test_stop_names_compare_without_generic_words(text, key):
    assert stop_key(text) == key


@pytest.mark.parametrize("text", ["55路", "55", "Route 55", "55 路", "bus 55", "55路公交车"])
def test_route_names(text):
    assert route_key(text) == "55"
