"""Distances along shapes and between stops, and Google's encoded polyline format.

Positions along a line are in metres: a stop's distance along its trip comes from the shape
(its ``shape_dist_traveled`` mapped onto the shape, or the stop projected onto the shape), and
without a shape from the straight lines between consecutive stops.
"""

from __future__ import annotations

from bisect import bisect_right
from math import cos, radians
from typing import Sequence

from ..city.geo import EARTH_RADIUS_METRES, distance_metres

Point = tuple[float, float]  # (lat, lon)


def cumulative_metres(points: Sequence[Point]) -> list[float]:
    """Distance from the first point to each point along the polyline."""
    total, out = 0.0, [0.0]
    for (lat1, lon1), (lat2, lon2) in zip(points, points[1:]):
        total += distance_metres(lat1, lon1, lat2, lon2)
        out.append(total)
    return out


def interpolate(x: float, xs: Sequence[float], ys: Sequence[float]) -> float:
    """Piecewise-linear y at x (xs non-decreasing); clamped at both ends."""
    if x <= xs[0]:
        return ys[0]
    if x >= xs[-1]:
        return ys[-1]
    i = bisect_right(xs, x) - 1
    span = xs[i + 1] - xs[i]
    if span <= 0:
        return ys[i]
    return ys[i] + (ys[i + 1] - ys[i]) * (x - xs[i]) / span


def _project(point: Point, a: Point, b: Point) -> tuple[float, float]:
    """(fraction along a→b of the nearest point, squared distance in m²), flat-earth locally."""
    k = radians(1) * EARTH_RADIUS_METRES
    kx = k * cos(radians(point[0]))
    ax, ay = (a[1] - point[1]) * kx, (a[0] - point[0]) * k
    bx, by = (b[1] - point[1]) * kx, (b[0] - point[0]) * k
    dx, dy = bx - ax, by - ay
    length2 = dx * dx + dy * dy
    t = 0.0 if length2 == 0 else max(0.0, min(1.0, -(ax * dx + ay * dy) / length2))
    px, py = ax + t * dx, ay + t * dy
    return t, px * px + py * py


def fraction_along(point: Point, a: Point, b: Point) -> float:
    """How far (0..1) the point nearest to ``point`` on segment a→b lies from a."""
    return _project(point, a, b)[0]


def project_stops(
    stops: Sequence[Point], shape: Sequence[Point], shape_metres: Sequence[float]
) -> list[float]:
    """Metres along ``shape`` of each stop, in trip order: each stop goes to the nearest
    segment at or after the previous stop's, so a route that loops back keeps its order."""
    out: list[float] = []
    segment = 0
    last = len(shape) - 2
    for stop in stops:
        if last < 0:
            out.append(0.0)
            continue
        best = (float("inf"), segment, 0.0)
        for i in range(segment, last + 1):
            t, d2 = _project(stop, shape[i], shape[i + 1])
            if d2 < best[0]:
                best = (d2, i, t)
        _, segment, t = best
        along = shape_metres[segment] + t * (shape_metres[segment + 1] - shape_metres[segment])
        out.append(max(along, out[-1]) if out else along)
    return out


def straight_metres(stops: Sequence[Point]) -> list[float]:
    """Metres along the straight lines between consecutive stops."""
    return cumulative_metres(stops)


def encode_polyline(points: Sequence[Point]) -> str:
    """Google's encoded polyline algorithm format (precision 1e-5)."""
    out: list[str] = []
    prev_lat = prev_lon = 0
    for lat, lon in points:
        ilat, ilon = round(lat * 1e5), round(lon * 1e5)
        for delta in (ilat - prev_lat, ilon - prev_lon):
            value = ~(delta << 1) if delta < 0 else delta << 1
            while value >= 0x20:
                out.append(chr((0x20 | (value & 0x1F)) + 63))
                value >>= 5
            out.append(chr(value + 63))
        prev_lat, prev_lon = ilat, ilon
    return "".join(out)


def decode_polyline(text: str) -> list[Point]:
    points: list[Point] = []
    index = lat = lon = 0
    while index < len(text):
        deltas = []
        for _ in range(2):
            shift = result = 0
            while True:
                byte = ord(text[index]) - 63
                index += 1
                result |= (byte & 0x1F) << shift
                shift += 5
                if byte < 0x20:
                    break
            deltas.append(~(result >> 1) if result & 1 else result >> 1)
        lat += deltas[0]
        lon += deltas[1]
        points.append((lat / 1e5, lon / 1e5))
    return points
