"""Routes: one route with both directions' stops, and the routes that serve a place.

"Which bus goes to the Sports Center?": the routes stopping at the stations and stops whose
names match the place; with the citizen's location, only the directions that reach it from a
stop within walking distance, with where to board and how many stops there are between.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select

from ..db import db
from ..errors import ApiError
from .models import TransitAgency, TransitRoute, TransitShape, TransitTrip
from .network import RouteInfo, TransitNetwork
from .presenter import _headsign, route_brief
from .search import nearby_stops, route_order, search_stops
from .service_days import service_moment

PLACE_MATCH = 0.8  # a place is meant when its name matches at least this well


def route_by_id(net: TransitNetwork, route_id: str) -> RouteInfo:
    pk = net.route_by_id.get(route_id)
    if pk is None:
        raise ApiError("not_found", data={"route": route_id})
    return net.routes[pk]


def route_stop(net: TransitNetwork, stop_pk: int, along: float, locale: str) -> dict:
    stop = net.stops[stop_pk]
    parent = net.stops.get(stop.parent_pk) if stop.parent_pk else None
    return {
        "id": stop.stop_id,
        "name": net.stop_name(stop, locale),
        "lat": stop.lat,
        "lon": stop.lon,
        "parentStationId": parent.stop_id if parent else None,
        "distanceAlong": round(along, 1),
    }


def route_detail(
    net: TransitNetwork, route: RouteInfo, now: datetime, locale: str, include_shape: bool = False
) -> dict:
    today = now.astimezone(net.zone).date()
    services = sorted(net.active_services(today))
    spans = {}
    if services:
        spans = {
            row.direction_id or 0: row
            for row in db.session.execute(
                select(
                    TransitTrip.direction_id,
                    func.min(TransitTrip.start_secs).label("first"),
                    func.max(TransitTrip.start_secs).label("last"),
                    func.count().label("trips"),
                )
                .where(TransitTrip.route_pk == route.pk, TransitTrip.service_pk.in_(services))
                .group_by(TransitTrip.direction_id)
            )
        }
    directions = []
    for (route_pk, direction_id), direction in sorted(net.directions.items()):
        if route_pk != route.pk:
            continue
        span = spans.get(direction_id)
        polyline = None
        if include_shape and direction.shape_pk:
            polyline = db.session.scalar(
                select(TransitShape.polyline).where(TransitShape.id == direction.shape_pk)
            )
        directions.append(
            {
                "directionId": direction_id,
                "headsign": _headsign(net, direction.headsign, direction.stops, locale),
                "stops": [route_stop(net, pk, along, locale) for pk, along in direction.stops],
                "firstDeparture": (
                    service_moment(today, span.first, net.zone).astimezone(net.zone)
                    if span
                    else None
                ),
                "lastDeparture": (
                    service_moment(today, span.last, net.zone).astimezone(net.zone)
                    if span
                    else None
                ),
                "tripsToday": span.trips if span else 0,
                "polyline": polyline,
            }
        )
    agency = db.session.scalar(
        select(TransitAgency.name)
        .join(TransitRoute, TransitRoute.agency_pk == TransitAgency.id)
        .where(TransitRoute.id == route.pk)
    )
    return {**route_brief(net, route, locale), "agencyName": agency, "directions": directions}


def routes_serving_place(
    net: TransitNetwork, text: str, locale: str, origin: tuple[float, float] | None, radius: float
) -> tuple[list[int], list[dict]]:
    """(place pks, routes) for "which routes go to ``text``" (from ``origin`` when given)."""
    matches = search_stops(net, text, limit=10)
    if not matches:
        return [], []
    best = matches[0][1]
    places = [pk for pk, score, _ in matches if score >= max(PLACE_MATCH, best - 0.1)][:5]
    if not places:
        places = [matches[0][0]]
    destination: dict[tuple[int, int], tuple[int, int]] = {}  # (route, dir) -> (position, stop)
    for place in places:
        for stop_pk in net.boarding_stops(place) or [place]:
            for route_pk, direction_id, position in net.routes_at_stop.get(stop_pk, ()):
                key = (route_pk, direction_id)
                if key not in destination or position < destination[key][0]:
                    destination[key] = (position, stop_pk)
    boarding: dict[tuple[int, int], tuple[float, int, int]] = {}
    if origin is not None:
        near = nearby_stops(net, origin[0], origin[1], radius, limit=50)
        for _, _, stops in near:
            for stop_pk, distance in stops:
                for route_pk, direction_id, position in net.routes_at_stop.get(stop_pk, ()):
                    key = (route_pk, direction_id)
                    if key in destination and position < destination[key][0]:
                        if key not in boarding or distance < boarding[key][0]:
                            boarding[key] = (distance, position, stop_pk)
    routes: dict[int, dict] = {}
    for (route_pk, direction_id), (position, stop_pk) in destination.items():
        if origin is not None and (route_pk, direction_id) not in boarding:
            continue
        direction = net.directions[(route_pk, direction_id)]
        if (
            origin is None
            and position == 0
            and len(direction.stops) > 1
            and any(k[0] == route_pk and k[1] != direction_id for k in destination)
        ):
            continue  # starts here, and the other direction arrives here: that one is the answer
        entry = routes.setdefault(
            route_pk, {**route_brief(net, net.routes[route_pk], locale), "directions": []}
        )
        walk, board_position, board_pk = boarding.get((route_pk, direction_id), (None, None, None))
        entry["directions"].append(
            {
                "directionId": direction_id,
                "headsign": _headsign(net, direction.headsign, direction.stops, locale),
                "alightAt": route_stop(net, stop_pk, direction.stops[position][1], locale),
                "boardAt": (
                    route_stop(net, board_pk, direction.stops[board_position][1], locale)
                    if board_pk
                    else None
                ),
                "walkMetres": walk,
                "stopsBetween": position - board_position if board_pk else None,
            }
        )

    def fewest_stops(route: dict) -> int:
        between = [d["stopsBetween"] for d in route["directions"] if d["stopsBetween"] is not None]
        return min(between, default=0)

    ordered = sorted(routes.values(), key=lambda r: (fewest_stops(r), _order_key(net, r["id"])))
    for entry in ordered:
        entry["directions"].sort(key=lambda d: d["directionId"])
    return places, ordered


def _order_key(net: TransitNetwork, route_id: str) -> tuple:
    return route_order(net.routes[net.route_by_id[route_id]])
