"""Finding stops and routes: by name (translations, aliases, typos), by location, by place.

Names are compared after normalization (width, case, punctuation, and the generic words of
``seed_data/transit_words.json`` such as "station" removed), first exactly, then as prefix or
part, then by similarity (``miniapp_api/fuzzy.py``, on the names sharing the query's rarer
character bigrams), so a mistyped character or a name
with or without "station" still finds its stop, in Chinese and in English.
A station's platforms share its name: search answers the station, with its platforms, once.
Aliases come from the file ``TRANSIT_ALIASES`` names (a stop name to other names it goes by).
"""

from __future__ import annotations

import json
import re
import threading
import unicodedata
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from math import cos, floor, radians
from pathlib import Path

from flask import current_app

from .. import fuzzy
from ..city.geo import distance_metres
from .network import STATION, RouteInfo, TransitNetwork

_WORDS = json.loads(
    (Path(__file__).resolve().parent.parent / "seed_data" / "transit_words.json").read_text(
        encoding="utf-8"
    )
)
STOP_SUFFIXES = tuple(sorted(_WORDS["stop_suffixes"], key=len, reverse=True))
ROUTE_WORDS = re.compile(
    "^(?:"
    + "|".join(map(re.escape, sorted(_WORDS["route_prefixes"], key=len, reverse=True)))
    + ")|(?:"
    + "|".join(map(re.escape, sorted(_WORDS["route_suffixes"], key=len, reverse=True)))
    + ")$"
)
CELL_DEGREES = 0.01
_lock = threading.Lock()


normalize = fuzzy.normalize


def stop_key(text: str) -> str:
    key = normalize(text)
    for suffix in STOP_SUFFIXES:
        if key.endswith(suffix) and len(key) > len(suffix) + 1:
            return key[: -len(suffix)]
    return key


def route_key(text: str) -> str:
    key = unicodedata.normalize("NFKC", text).strip().lower().replace(" ", "")
    for _ in range(2):
        key = ROUTE_WORDS.sub("", key)
    return key


def _bigrams(key: str) -> set[str]:
    return {key[i : i + 2] for i in range(len(key) - 1)} or {key}


@dataclass
class NameEntry:
    place_pk: int
    key: str
    name: str


@dataclass
class SearchIndex:
    entries: list[NameEntry] = field(default_factory=list)
    by_gram: dict[str, set[int]] = field(default_factory=lambda: defaultdict(set))
    cells: dict[tuple[int, int], list[int]] = field(default_factory=lambda: defaultdict(list))
    # route pk -> (its short-name keys, its long names in every language)
    route_names: dict[int, tuple[set[str], list[str]]] = field(default_factory=dict)


def index_of(net: TransitNetwork) -> SearchIndex:
    if net.search_index is None:
        with _lock:
            if net.search_index is None:
                net.search_index = _build(net)
    return net.search_index


def _aliases() -> dict[str, list[str]]:
    path = current_app.config.get("TRANSIT_ALIASES") or ""
    if not path or not Path(path).exists():
        return {}
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return {name: list(names) for name, names in data.get("aliases", {}).items()}


def _build(net: TransitNetwork) -> SearchIndex:
    index = SearchIndex()
    by_value: dict[str, list[str]] = defaultdict(list)
    by_id: dict[str, list[str]] = defaultdict(list)
    for key, text in net.translations.items():
        if key[0] == "stops" and key[1] == "stop_name":
            (by_id if key[3] == "id" else by_value)[key[4]].append(text)
    aliases = _aliases()
    for stop in net.stops.values():
        if stop.location_type not in (0, STATION):
            continue
        place = net.station_of(stop.pk)
        names = [stop.name, *by_value.get(stop.name, []), *by_id.get(stop.stop_id, [])]
        names += [alias for name in list(names) for alias in aliases.get(name, [])]
        for name in dict.fromkeys(names):
            key = stop_key(name)
            if key:
                index.entries.append(NameEntry(place.pk, key, name))
                for gram in _bigrams(key):
                    index.by_gram[gram].add(len(index.entries) - 1)
        if stop.location_type == 0:
            index.cells[_cell(stop.lat, stop.lon)].append(stop.pk)
    for route in net.routes.values():
        shorts = {route_key(route.short_name or ""), route_key(route.route_id)}
        longs = [route.long_name] if route.long_name else []
        for key, text in net.translations.items():
            if key[0] == "routes" and key[4] in (route.route_id, route.short_name, route.long_name):
                if key[1] == "route_short_name":
                    shorts.add(route_key(text))
                elif key[1] == "route_long_name":
                    longs.append(text)
        shorts.discard("")
        index.route_names[route.pk] = (shorts, longs)
    return index


FUZZY_CANDIDATES = 60


def search_stops(net: TransitNetwork, text: str, limit: int = 10) -> list[tuple[int, float, str]]:
    """(place pk, score, the name that matched) of the stations and stops whose names match:
    exactly or in part first; only when nothing does, the names most alike (typos)."""
    query = stop_key(text)
    if not query:
        return []
    index = index_of(net)
    entries = index.entries
    best: dict[int, tuple[float, str]] = {}

    def consider(i: int) -> None:
        entry = entries[i]
        score = fuzzy.term_score(query, entry.key)
        if score >= fuzzy.THRESHOLD and score > best.get(entry.place_pk, (0.0, ""))[0]:
            best[entry.place_pk] = (score, entry.name)

    for i, entry in enumerate(entries):
        if query in entry.key or (len(entry.key) >= 2 and entry.key in query):
            consider(i)
    if not any(score >= fuzzy.CONTAINED for score, _ in best.values()):
        grams = _bigrams(query)
        common = max(50, len(entries) // 20)
        rare = [g for g in grams if len(index.by_gram.get(g, ())) <= common] or list(grams)
        shared: Counter = Counter()
        for gram in rare:
            shared.update(index.by_gram.get(gram, ()))
        for i, _ in shared.most_common(FUZZY_CANDIDATES):
            consider(i)
    ranked = sorted(best.items(), key=lambda item: (-item[1][0], len(item[1][1]), item[0]))
    return [(pk, round(score, 3), name) for pk, (score, name) in ranked[:limit]]


def nearby_stops(
    net: TransitNetwork, lat: float, lon: float, radius: float, limit: int
) -> list[tuple[int, float, list[tuple[int, float]]]]:
    """Places within ``radius`` metres, nearest first: (place pk, distance, [(boarding stop,
    distance)]); a station's distance is its nearest platform's."""
    index = index_of(net)
    dlat = radius / 111_320 + CELL_DEGREES
    dlon = radius / (111_320 * max(0.01, cos(radians(lat)))) + CELL_DEGREES
    places: dict[int, list[tuple[int, float]]] = defaultdict(list)
    for i in range(floor((lat - dlat) / CELL_DEGREES), floor((lat + dlat) / CELL_DEGREES) + 1):
        for j in range(floor((lon - dlon) / CELL_DEGREES), floor((lon + dlon) / CELL_DEGREES) + 1):
            for pk in index.cells.get((i, j), ()):
                stop = net.stops[pk]
                distance = distance_metres(lat, lon, stop.lat, stop.lon)
                if distance <= radius:
                    places[net.station_of(pk).pk].append((pk, round(distance, 1)))
    ranked = sorted(
        (
            (pk, min(d for _, d in stops), sorted(stops, key=lambda s: s[1]))
            for pk, stops in places.items()
        ),
        key=lambda p: (p[1], p[0]),
    )
    return ranked[:limit]


def _cell(lat: float, lon: float) -> tuple[int, int]:
    return floor(lat / CELL_DEGREES), floor(lon / CELL_DEGREES)


def route_order(route: RouteInfo) -> tuple:
    name = route.short_name or route.long_name or route.route_id
    digits = re.match(r"\D*(\d+)", name)
    return (
        route.sort_order if route.sort_order is not None else 1 << 30,
        int(digits.group(1)) if digits else 1 << 30,
        name,
    )


def find_routes(
    net: TransitNetwork, text: str, exact_only: bool = False, limit: int = 20
) -> list[RouteInfo]:
    """Routes whose short name is the query ("Route 55", "55", and the same in Chinese); when
    none is, and unless ``exact_only``, those whose long name matches it ("Kecun")."""
    key = route_key(text)
    if not key:
        return []
    index = index_of(net)
    exact: list[RouteInfo] = []
    scored: list[tuple[float, RouteInfo]] = []
    query = normalize(text)
    for route in net.routes.values():
        shorts, longs = index.route_names[route.pk]
        if key in shorts:
            exact.append(route)
            continue
        if exact_only or not query:
            continue
        score = fuzzy.score(text, longs)
        if score >= fuzzy.THRESHOLD:
            scored.append((score, route))
    if exact:
        return sorted(exact, key=route_order)[:limit]
    scored.sort(key=lambda item: (-item[0], route_order(item[1])))
    return [route for _, route in scored][:limit]
