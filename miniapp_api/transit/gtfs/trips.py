"""stop_times.txt and frequencies.txt: the calls of each trip, checked, completed and expanded.

Each trip's calls are sorted by stop_sequence; arrival and departure default to each other;
times left empty between timepoints are interpolated by distance; times must not go back.
A frequencies.txt trip becomes one trip per departure (start_time, start_time + headway, ...
before end_time), its calls shifted; when ``exact_times`` is 0 the trips keep their headway
so the API can say the times are approximate.
"""

from __future__ import annotations

import json
from collections import Counter, defaultdict

from ..geometry import interpolate, project_stops, straight_metres
from . import read as r
from .feed import IdBase, ParsedFeed, TripRow

FILE = "stop_times.txt"
# (stop_sequence, stop_pk, arrival, departure, shape_dist, stop_headsign, pickup, drop_off, line)
Call = tuple[int, int, "int | None", "int | None", "float | None", "str | None", int, int, int]


def parse_stop_times(source, feed: "ParsedFeed", trips: dict, report) -> dict[str, list[Call]]:
    table = r.Table(FILE, source)
    c = table.columns.get
    i_trip, i_arr, i_dep, i_stop, i_seq = (
        c("trip_id"),
        c("arrival_time"),
        c("departure_time"),
        c("stop_id"),
        c("stop_sequence"),
    )
    i_head, i_pick, i_drop, i_dist = (
        c("stop_headsign"),
        c("pickup_type"),
        c("drop_off_type"),
        c("shape_dist_traveled"),
    )
    missing = [
        name
        for name, index in (("trip_id", i_trip), ("stop_id", i_stop), ("stop_sequence", i_seq))
        if index is None
    ]
    for name in missing:
        report.error(FILE, 1, name, "missing_column")
    if missing:
        return {}
    stop_pk, stop_types = feed.stop_pk, feed.stop_types
    parse_int = r.parse_int
    # A city's million calls repeat a few tens of thousands of distinct times: parse each once.
    times: dict[str, int | None] = {"": None}

    def parse_time(text: str) -> int | None:
        value = times.get(text, -1)
        if value == -1:
            value = times[text] = r.parse_time(text)
        return value

    calls: dict[str, list[Call]] = defaultdict(list)
    for line, row in table.rows():
        trip_id, stop_id = row[i_trip].strip(), row[i_stop].strip()
        pk = stop_pk.get(stop_id)
        if trip_id not in trips:
            report.error(FILE, line, "trip_id", "unknown_reference", trip_id)
            continue
        if pk is None:
            report.error(FILE, line, "stop_id", "unknown_reference", stop_id)
            continue
        if stop_types[pk] != 0:
            report.error(FILE, line, "stop_id", "not_a_stop", stop_id)
            continue
        seq = parse_int(row[i_seq].strip())
        if seq is None or seq < 0:
            report.error(FILE, line, "stop_sequence", "out_of_range", row[i_seq])
            continue
        arrival_text = row[i_arr].strip() if i_arr is not None else ""
        departure_text = row[i_dep].strip() if i_dep is not None else ""
        arrival = parse_time(arrival_text)
        departure = arrival if departure_text == arrival_text else parse_time(departure_text)
        if (arrival_text and arrival is None) or (departure_text and departure is None):
            report.error(
                FILE, line, "arrival_time", "invalid_time", f"{arrival_text}/{departure_text}"
            )
            continue
        pickup = _flag(row, i_pick)
        drop_off = _flag(row, i_drop)
        if pickup is None or drop_off is None:
            report.error(FILE, line, "pickup_type", "out_of_range")
            continue
        dist_text = row[i_dist].strip() if i_dist is not None else ""
        dist = r.parse_float(dist_text) if dist_text else None
        headsign = row[i_head].strip() if i_head is not None else ""
        calls[trip_id].append(
            (seq, pk, arrival, departure, dist, headsign or None, pickup, drop_off, line)
        )
    return calls


def _flag(row: list[str], index: int | None) -> int | None:
    text = row[index].strip() if index is not None else ""
    if not text:
        return 0
    value = r.parse_int(text)
    return value if value is not None and 0 <= value <= 3 else None


def finish_trips(
    feed: "ParsedFeed",
    trips: dict[str, "TripRow"],
    calls: dict[str, list[Call]],
    frequencies: dict,
    ids: "IdBase",
    report,
) -> None:

    distance_cache: dict[tuple, list[float]] = {}
    patterns: Counter = Counter()
    details: dict[tuple, tuple] = {}
    trip_rows, time_rows = feed.rows["trips"], feed.rows["stop_times"]
    pattern_rows, patterns_seen = feed.rows["patterns"], {}
    for trip_id, trip in trips.items():
        trip_calls = calls.get(trip_id)
        if not trip_calls or len(trip_calls) < 2:
            report.warn("trips.txt", trip.line, "trip_id", "fewer_than_two_stop_times", trip_id)
            continue
        trip_calls.sort()
        stops = tuple(call[1] for call in trip_calls)
        shape_dists = tuple(call[4] for call in trip_calls)
        key = (trip.shape_pk, stops, shape_dists)
        distances = distance_cache.get(key)
        if distances is None:
            distances = stop_distances(feed, trip.shape_pk, stops, shape_dists)
            distance_cache[key] = distances
        times = _complete_times(trip_id, trip_calls, distances, report)
        if times is None:
            continue
        direction = trip.direction_id or 0
        first_departure = times[0][1]
        distances = [round(d, 1) for d in distances]
        timing = (
            stops,
            tuple(t[0] - first_departure for t in times),
            tuple(t[1] - first_departure for t in times),
            tuple(distances),
            tuple(call[0] for call in trip_calls),
        )
        pattern_pk = patterns_seen.get(timing)
        if pattern_pk is None:
            pattern_pk = patterns_seen[timing] = ids.pattern + len(pattern_rows)
            pattern_rows.append(
                (pattern_pk, feed.feed_id, *(json.dumps(list(part)) for part in timing))
            )
        starts = [(first_departure, None)]
        if trip_id in frequencies:
            starts = [
                (t, None if exact else headway)
                for start, end, headway, exact in sorted(frequencies[trip_id])
                for t in range(start, end, headway)
            ]
        for start, headway in starts:
            pk = ids.trip + len(trip_rows)
            shift = start - first_departure
            trip_rows.append(
                (
                    pk,
                    feed.feed_id,
                    trip_id,
                    trip.route_pk,
                    trip.service_pk,
                    trip.headsign,
                    trip.short_name,
                    trip.direction_id,
                    trip.block_id,
                    trip.shape_pk,
                    pattern_pk,
                    start,
                    times[-1][0] + shift,
                    len(trip_calls),
                    headway,
                )
            )
            for index, (call, (arrival, departure, timepoint), dist) in enumerate(
                zip(trip_calls, times, distances)
            ):
                time_rows.append(
                    (
                        pk,
                        call[0],
                        call[1],
                        trip.route_pk,
                        trip.service_pk,
                        trip.direction_id,
                        index,
                        arrival + shift,
                        departure + shift,
                        dist,
                        call[5],
                        call[6],
                        call[7],
                        timepoint,
                    )
                )
            pattern = (trip.route_pk, direction, stops)
            patterns[pattern] += 1
            if pattern not in details:
                details[pattern] = (distances, Counter(), trip.shape_pk)
            if trip.headsign:
                details[pattern][1][trip.headsign] += 1
    route_patterns(feed, patterns, details)


def _complete_times(
    trip_id: str, calls: list[Call], distances: list[float], report
) -> list[tuple[int, int, int]] | None:
    """(arrival, departure, timepoint) of each call, or ``None`` (reported) when unusable."""
    for previous, call in zip(calls, calls[1:]):
        if previous[0] == call[0]:
            report.error(FILE, call[8], "stop_sequence", "duplicate_id", f"{trip_id} {call[0]}")
            return None
    known: list[tuple[int | None, int | None]] = []
    for call in calls:
        arrival, departure = call[2], call[3]
        known.append(
            (
                arrival if arrival is not None else departure,
                departure if departure is not None else arrival,
            )
        )
    for end in (0, len(calls) - 1):
        if known[end][0] is None:
            report.error(FILE, calls[end][8], "arrival_time", "missing_time", trip_id)
            return None
    out: list[tuple[int, int, int]] = []
    last_timed = 0
    for index, (arrival, departure) in enumerate(known):
        if arrival is None:
            following = next(i for i in range(index + 1, len(known)) if known[i][0] is not None)
            span = distances[following] - distances[last_timed]
            share = (
                (distances[index] - distances[last_timed]) / span
                if span > 0
                else (index - last_timed) / (following - last_timed)
            )
            start, finish = known[last_timed][1], known[following][0]
            value = round(start + share * (finish - start))
            out.append((value, value, 0))
            continue
        if departure < arrival or (out and arrival < out[-1][1]):
            report.error(
                FILE,
                calls[index][8],
                "arrival_time",
                "decreasing_time",
                f"{trip_id} {r.format_time(arrival)}",
            )
            return None
        out.append((arrival, departure, 1))
        last_timed = index
    return out


def stop_distances(
    feed: ParsedFeed,
    shape_pk: int | None,
    stops: tuple[int, ...],
    shape_dists: tuple[float | None, ...],
) -> list[float]:
    """Metres along the trip of each of its stops (see ``geometry``)."""
    points = [feed.stop_coords[pk] for pk in stops]
    shape = feed.shapes.get(shape_pk) if shape_pk else None
    if shape is None or len(shape[0]) < 2:
        return straight_metres(points)
    coords, metres, shape_dist = shape
    if shape_dist is not None and all(d is not None for d in shape_dists):
        return [interpolate(d, shape_dist, metres) for d in shape_dists]
    return project_stops(points, coords, metres)


def route_patterns(feed: ParsedFeed, patterns: Counter, details: dict) -> None:
    """For each route direction, the most common stop pattern becomes its list of stops.

    ``patterns`` counts (route_pk, direction, stops) over trips; ``details`` maps the same key to
    (distances, headsign counter, shape_pk) of one of its trips.
    """
    best: dict[tuple[int, int], tuple] = {}
    for (route_pk, direction, stops), count in patterns.items():
        key = (route_pk, direction)
        rank = (count, len(stops))
        if key not in best or rank > best[key][0]:
            best[key] = (rank, stops)
    for (route_pk, direction), (_, stops) in sorted(best.items()):
        distances, headsigns, shape_pk = details[(route_pk, direction, stops)]
        headsign = headsigns.most_common(1)[0][0] if headsigns else None
        for position, (stop_pk, dist) in enumerate(zip(stops, distances)):
            feed.rows["route_stops"].append(
                (route_pk, direction, position, stop_pk, dist, headsign, shape_pk)
            )
