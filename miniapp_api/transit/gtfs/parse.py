"""A GTFS feed read, checked and turned into rows ready for bulk insertion.

``parse_feed`` reads every file the importer stores (agency, stops with parent stations,
routes, calendar and calendar_dates, shapes, trips, stop_times with times past 24:00:00,
frequencies, translations, feed_info), records each bad row in a ``FeedReport``, and returns a
``ParsedFeed`` whose rows carry the integer keys the importer handed out. Nothing here touches
the database, so a broken feed costs nothing but the reading.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

from ..geometry import (
    cumulative_metres,
    encode_polyline,
)
from . import read as r
from .feed import IdBase, ParsedFeed, TripRow
from .trips import finish_trips, parse_stop_times

REQUIRED_FILES = ("agency.txt", "stops.txt", "routes.txt", "trips.txt", "stop_times.txt")
TRANSLATABLE = {"agency", "stops", "routes", "trips", "stop_times", "feed_info"}


def parse_feed(source: r.FeedSource, feed_id: int, ids: IdBase) -> tuple[ParsedFeed, r.FeedReport]:
    report = r.FeedReport()
    feed = ParsedFeed(feed_id)
    missing = [name for name in REQUIRED_FILES if not source.has(name)]
    if not (source.has("calendar.txt") or source.has("calendar_dates.txt")):
        missing.append("calendar.txt")
    for name in missing:
        report.error(name, None, None, "missing_file")
    if missing:
        return feed, report
    agencies = _agencies(source, feed, ids, report)
    _feed_info(source, feed, report)
    _stops(source, feed, ids, report)
    _routes(source, feed, ids, agencies, report)
    _services(source, feed, ids, report)
    if source.has("shapes.txt"):
        _shapes(source, feed, ids, report)
    trips = _trips(source, feed, report)
    calls = parse_stop_times(source, feed, trips, report)
    frequencies = _frequencies(source, trips, report) if source.has("frequencies.txt") else {}
    finish_trips(feed, trips, calls, frequencies, ids, report)
    if source.has("translations.txt"):
        _translations(source, feed, report)
    report.counts = feed.counts()
    return feed, report


# --- agency, feed_info -------------------------------------------------------------------
def _agencies(source, feed: ParsedFeed, ids: IdBase, report) -> dict[str, int]:
    table = r.Table("agency.txt", source)
    c = table.columns.get
    out: dict[str, int] = {}
    for line, row in table.rows():
        agency_id = r.cell(row, c("agency_id"))
        name, zone = r.cell(row, c("agency_name")), r.cell(row, c("agency_timezone"))
        if not name:
            report.error(table.name, line, "agency_name", "missing_field")
        if not _valid_zone(zone):
            report.error(table.name, line, "agency_timezone", "invalid_timezone", zone)
            continue
        if agency_id in out:
            report.error(table.name, line, "agency_id", "duplicate_id", agency_id)
            continue
        if not out:
            feed.timezone = zone
        elif zone != feed.timezone:
            report.error(table.name, line, "agency_timezone", "timezones_differ", zone)
        pk = ids.agency + len(out)
        out[agency_id] = pk
        feed.rows["agency"].append(
            (
                pk,
                feed.feed_id,
                agency_id,
                name,
                r.cell(row, c("agency_url")) or None,
                zone,
                r.cell(row, c("agency_lang")) or None,
                r.cell(row, c("agency_phone")) or None,
            )
        )
        feed.language = feed.language or (r.cell(row, c("agency_lang")) or None)
    if not out:
        report.error(table.name, None, None, "no_rows")
    return out


def _valid_zone(zone: str) -> bool:
    try:
        ZoneInfo(zone)
    except (ZoneInfoNotFoundError, ValueError):
        return False
    return bool(zone)


def _feed_info(source, feed: ParsedFeed, report) -> None:
    if not source.has("feed_info.txt"):
        return
    table = r.Table("feed_info.txt", source)
    c = table.columns.get
    for line, row in table.rows():
        feed.language = r.cell(row, c("feed_lang")) or feed.language
        for name in ("feed_start_date", "feed_end_date"):
            text = r.cell(row, c(name))
            if text and r.parse_date(text) is None:
                report.error(table.name, line, name, "invalid_date", text)
        feed.start_date = r.parse_date(r.cell(row, c("feed_start_date")))
        feed.end_date = r.parse_date(r.cell(row, c("feed_end_date")))
        break


# --- stops ---------------------------------------------------------------------------------
def _stops(source, feed: ParsedFeed, ids: IdBase, report) -> None:
    table = r.Table("stops.txt", source)
    c = table.columns.get
    parents: list[tuple[int, int, str, int]] = []  # (row index, line, parent id, type)
    types = feed.stop_types
    for line, row in table.rows():
        stop_id = r.cell(row, c("stop_id"))
        if not stop_id:
            report.error(table.name, line, "stop_id", "missing_field")
            continue
        if stop_id in feed.stop_pk:
            report.error(table.name, line, "stop_id", "duplicate_id", stop_id)
            continue
        kind_text = r.cell(row, c("location_type")) or "0"
        kind = r.parse_int(kind_text)
        if kind is None or not 0 <= kind <= 4:
            report.error(table.name, line, "location_type", "out_of_range", kind_text)
            continue
        name = r.cell(row, c("stop_name"))
        if not name and kind <= 2:
            report.error(table.name, line, "stop_name", "missing_field", stop_id)
        lat = r.parse_float(r.cell(row, c("stop_lat")))
        lon = r.parse_float(r.cell(row, c("stop_lon")))
        if kind <= 2 and (
            lat is None
            or lon is None
            or not -90 <= lat <= 90
            or not -180 <= lon <= 180
            or (lat == 0 and lon == 0)
        ):
            report.error(
                table.name,
                line,
                "stop_lat",
                "invalid_coordinates",
                f"{r.cell(row, c('stop_lat'))},{r.cell(row, c('stop_lon'))}",
            )
            continue
        pk = ids.stop + len(feed.stop_pk)
        feed.stop_pk[stop_id] = pk
        types[pk] = kind
        wheelchair = r.parse_int(r.cell(row, c("wheelchair_boarding")) or "0")
        feed.rows["stops"].append(
            [
                pk,
                feed.feed_id,
                stop_id,
                r.cell(row, c("stop_code")) or None,
                name,
                lat,
                lon,
                kind,
                None,
                r.cell(row, c("platform_code")) or None,
                wheelchair,
            ]
        )
        parent = r.cell(row, c("parent_station"))
        if parent:
            parents.append((len(feed.rows["stops"]) - 1, line, parent, kind))
        elif kind >= 2:
            report.error(table.name, line, "parent_station", "missing_field", stop_id)
    for index, line, parent, kind in parents:
        parent_pk = feed.stop_pk.get(parent)
        row = feed.rows["stops"][index]
        if parent_pk is None:
            report.error(table.name, line, "parent_station", "unknown_reference", parent)
        elif kind == 1:
            report.error(table.name, line, "parent_station", "station_with_parent", parent)
        elif kind in (0, 2, 3) and types[parent_pk] != 1:
            report.error(table.name, line, "parent_station", "parent_not_a_station", parent)
        else:
            row[8] = parent_pk
    by_pk = {row[0]: row for row in feed.rows["stops"]}
    for row in feed.rows["stops"]:  # generic nodes and boarding areas may omit coordinates
        if row[5] is None or row[6] is None:
            parent = by_pk.get(row[8])
            row[5], row[6] = (parent[5], parent[6]) if parent else (0.0, 0.0)
        feed.stop_coords[row[0]] = (row[5], row[6])
    feed.rows["stops"] = [tuple(row) for row in feed.rows["stops"]]


# --- routes --------------------------------------------------------------------------------
def _routes(source, feed: ParsedFeed, ids: IdBase, agencies: dict[str, int], report) -> None:
    table = r.Table("routes.txt", source)
    c = table.columns.get
    for line, row in table.rows():
        route_id = r.cell(row, c("route_id"))
        if not route_id:
            report.error(table.name, line, "route_id", "missing_field")
            continue
        if route_id in feed.route_pk:
            report.error(table.name, line, "route_id", "duplicate_id", route_id)
            continue
        agency_id = r.cell(row, c("agency_id"))
        agency_pk = agencies.get(agency_id)
        if agency_pk is None and not agency_id and len(agencies) == 1:
            agency_pk = next(iter(agencies.values()))
        if agency_pk is None:
            report.error(table.name, line, "agency_id", "unknown_reference", agency_id)
        short, long = r.cell(row, c("route_short_name")), r.cell(row, c("route_long_name"))
        if not short and not long:
            report.error(table.name, line, "route_short_name", "missing_field", route_id)
        route_type = r.parse_int(r.cell(row, c("route_type")))
        if route_type is None or route_type < 0:
            report.error(
                table.name, line, "route_type", "out_of_range", r.cell(row, c("route_type"))
            )
            continue
        sort_order = r.parse_int(r.cell(row, c("route_sort_order")) or "x")
        pk = ids.route + len(feed.route_pk)
        feed.route_pk[route_id] = pk
        feed.rows["routes"].append(
            (
                pk,
                feed.feed_id,
                route_id,
                agency_pk,
                short or None,
                long or None,
                route_type,
                r.cell(row, c("route_color")) or None,
                r.cell(row, c("route_text_color")) or None,
                sort_order,
            )
        )


# --- calendar ------------------------------------------------------------------------------
WEEKDAYS = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")


def _services(source, feed: ParsedFeed, ids: IdBase, report) -> None:
    rows = feed.rows["service"]
    if source.has("calendar.txt"):
        table = r.Table("calendar.txt", source)
        c = table.columns.get
        for line, row in table.rows():
            service_id = r.cell(row, c("service_id"))
            if not service_id or service_id in feed.service_pk:
                report.error(
                    table.name,
                    line,
                    "service_id",
                    "duplicate_id" if service_id else "missing_field",
                    service_id,
                )
                continue
            days = "".join(r.cell(row, c(day)) for day in WEEKDAYS)
            start = r.parse_date(r.cell(row, c("start_date")))
            end = r.parse_date(r.cell(row, c("end_date")))
            if len(days) != 7 or set(days) - {"0", "1"}:
                report.error(table.name, line, "monday", "invalid_weekdays", days)
                continue
            if start is None or end is None or end < start:
                report.error(
                    table.name,
                    line,
                    "start_date",
                    "invalid_date",
                    f"{r.cell(row, c('start_date'))}-{r.cell(row, c('end_date'))}",
                )
                continue
            pk = ids.service + len(feed.service_pk)
            feed.service_pk[service_id] = pk
            rows.append((pk, feed.feed_id, service_id, days, start, end))
    if source.has("calendar_dates.txt"):
        table = r.Table("calendar_dates.txt", source)
        c = table.columns.get
        seen: set[tuple[int, date]] = set()
        for line, row in table.rows():
            service_id, text = r.cell(row, c("service_id")), r.cell(row, c("date"))
            day, kind = r.parse_date(text), r.cell(row, c("exception_type"))
            if not service_id:
                report.error(table.name, line, "service_id", "missing_field")
                continue
            if day is None:
                report.error(table.name, line, "date", "invalid_date", text)
                continue
            if kind not in ("1", "2"):
                report.error(table.name, line, "exception_type", "out_of_range", kind)
                continue
            pk = feed.service_pk.get(service_id)
            if pk is None:
                pk = ids.service + len(feed.service_pk)
                feed.service_pk[service_id] = pk
                rows.append((pk, feed.feed_id, service_id, "0000000", None, None))
            if (pk, day) in seen:
                report.error(table.name, line, "date", "duplicate_id", f"{service_id} {text}")
                continue
            seen.add((pk, day))
            feed.rows["service_dates"].append((pk, day, int(kind)))
    dates = [d for row in rows for d in row[4:6] if d]
    dates += [row[1] for row in feed.rows["service_dates"]]
    if dates:
        feed.start_date = feed.start_date or min(dates)
        feed.end_date = feed.end_date or max(dates)


# --- shapes --------------------------------------------------------------------------------
def _shapes(source, feed: ParsedFeed, ids: IdBase, report) -> None:
    table = r.Table("shapes.txt", source)
    c = table.columns.get
    i_id, i_lat, i_lon, i_seq, i_dist = (
        c("shape_id"),
        c("shape_pt_lat"),
        c("shape_pt_lon"),
        c("shape_pt_sequence"),
        c("shape_dist_traveled"),
    )
    points: dict[str, list[tuple[int, float, float, float | None]]] = defaultdict(list)
    for line, row in table.rows():
        shape_id = r.cell(row, i_id)
        lat, lon = r.parse_float(r.cell(row, i_lat)), r.parse_float(r.cell(row, i_lon))
        seq = r.parse_int(r.cell(row, i_seq))
        if not shape_id or lat is None or lon is None or seq is None or seq < 0:
            report.error(table.name, line, "shape_pt_lat", "invalid_shape_point", shape_id)
            continue
        dist_text = r.cell(row, i_dist)
        points[shape_id].append((seq, lat, lon, r.parse_float(dist_text) if dist_text else None))
    for shape_id, pts in points.items():
        pts.sort()
        if len({p[0] for p in pts}) != len(pts):
            report.error(table.name, None, "shape_pt_sequence", "duplicate_id", shape_id)
            continue
        coords = [(p[1], p[2]) for p in pts]
        metres = cumulative_metres(coords)
        dists = [p[3] for p in pts]
        shape_dists = dists if all(d is not None for d in dists) else None
        pk = ids.shape + len(feed.shape_pk)
        feed.shape_pk[shape_id] = pk
        feed.shapes[pk] = (coords, metres, shape_dists)
        feed.rows["shapes"].append(
            (pk, feed.feed_id, shape_id, encode_polyline(coords), metres[-1])
        )


# --- trips ---------------------------------------------------------------------------------
def _trips(source, feed: ParsedFeed, report) -> dict[str, TripRow]:
    table = r.Table("trips.txt", source)
    c = table.columns.get
    trips: dict[str, TripRow] = {}
    for line, row in table.rows():
        trip_id = r.cell(row, c("trip_id"))
        if not trip_id:
            report.error(table.name, line, "trip_id", "missing_field")
            continue
        if trip_id in trips:
            report.error(table.name, line, "trip_id", "duplicate_id", trip_id)
            continue
        route_pk = feed.route_pk.get(r.cell(row, c("route_id")))
        service_pk = feed.service_pk.get(r.cell(row, c("service_id")))
        shape_id = r.cell(row, c("shape_id"))
        shape_pk = feed.shape_pk.get(shape_id) if shape_id else None
        direction_text = r.cell(row, c("direction_id"))
        problems = [
            ("route_id", route_pk is None),
            ("service_id", service_pk is None),
            ("shape_id", bool(shape_id) and shape_pk is None),
        ]
        bad = [name for name, wrong in problems if wrong]
        for name in bad:
            report.error(table.name, line, name, "unknown_reference", r.cell(row, c(name)))
        if direction_text not in ("", "0", "1"):
            report.error(table.name, line, "direction_id", "out_of_range", direction_text)
            continue
        if bad:
            continue
        trips[trip_id] = TripRow(
            line,
            trip_id,
            route_pk,
            service_pk,
            r.cell(row, c("trip_headsign")) or None,
            r.cell(row, c("trip_short_name")) or None,
            int(direction_text) if direction_text else None,
            r.cell(row, c("block_id")) or None,
            shape_pk,
        )
    return trips


def _frequencies(
    source, trips: dict[str, TripRow], report
) -> dict[str, list[tuple[int, int, int, int]]]:
    table = r.Table("frequencies.txt", source)
    c = table.columns.get
    out: dict[str, list[tuple[int, int, int, int]]] = defaultdict(list)
    for line, row in table.rows():
        trip_id = r.cell(row, c("trip_id"))
        start = r.parse_time(r.cell(row, c("start_time")))
        end = r.parse_time(r.cell(row, c("end_time")))
        headway = r.parse_int(r.cell(row, c("headway_secs")))
        exact = r.cell(row, c("exact_times")) or "0"
        if trip_id not in trips:
            report.error(table.name, line, "trip_id", "unknown_reference", trip_id)
        elif start is None or end is None or end <= start:
            report.error(
                table.name,
                line,
                "start_time",
                "invalid_time",
                f"{r.cell(row, c('start_time'))}-{r.cell(row, c('end_time'))}",
            )
        elif headway is None or headway <= 0:
            report.error(
                table.name, line, "headway_secs", "out_of_range", r.cell(row, c("headway_secs"))
            )
        elif exact not in ("0", "1"):
            report.error(table.name, line, "exact_times", "out_of_range", exact)
        else:
            out[trip_id].append((start, end, headway, int(exact)))
    return out


# --- translations ----------------------------------------------------------------------------
def _translations(source, feed: ParsedFeed, report) -> None:
    table = r.Table("translations.txt", source)
    c = table.columns.get
    if c("table_name") is None:
        report.warn(table.name, 1, None, "unsupported_format", "trans_id/lang")
        return
    for line, row in table.rows():
        table_name, field_name = r.cell(row, c("table_name")), r.cell(row, c("field_name"))
        language, text = r.cell(row, c("language")), r.cell(row, c("translation"))
        record_id, value = r.cell(row, c("record_id")), r.cell(row, c("field_value"))
        if table_name not in TRANSLATABLE:
            report.error(table.name, line, "table_name", "out_of_range", table_name)
        elif not field_name or not language or not text:
            report.error(table.name, line, "translation", "missing_field")
        elif bool(record_id) == bool(value) and table_name != "feed_info":
            report.error(table.name, line, "record_id", "record_id_xor_field_value", record_id)
        else:
            feed.rows["translations"].append(
                (
                    feed.feed_id,
                    table_name,
                    field_name,
                    language,
                    text[:255],
                    record_id or None,
                    r.cell(row, c("record_sub_id")) or None,
                    value[:255] or None,
                )
            )
