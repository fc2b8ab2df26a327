"""The transit API: stops (search, nearby, one, next arrivals), routes, routes to a place.

Public (no session needed); names in the request's locale.
"""

from __future__ import annotations

from datetime import timedelta

from flask import jsonify
from flask_smorest import Blueprint

from ..db import db, utcnow
from ..envelope import envelope_of, ok
from ..errors import ApiError
from ..i18n import current_locale
from ..response_cache import cached_public
from .arrivals_board import next_arrivals, route_filter
from .network import TransitNetwork, active_network
from .presenter import (
    plain,
    present_arrival,
    present_stop,
    present_stop_brief,
    realtime_block,
    route_brief,
)
from .routes import route_by_id, route_detail, routes_serving_place
from .schemas import (
    ArrivalsQuerySchema,
    ArrivalsSchema,
    NearbyQuerySchema,
    PlaceRoutesQuerySchema,
    PlaceRoutesSchema,
    RouteBriefSchema,
    RouteQuerySchema,
    RouteSchema,
    RouteSearchQuerySchema,
    StopSchema,
    StopSearchQuerySchema,
)
from .search import find_routes, nearby_stops, route_order, search_stops

# Countdowns move by the second and realtime feeds every 15-30 s: an answer a few seconds old
# is as good (a feed ingested here drops it at once).
ARRIVALS_ANSWER_SECONDS = 3
# Stops by name: the network changes with a GTFS import (which drops the answers here at once).
STOP_SEARCH_ANSWER_SECONDS = 60

bp = Blueprint(
    "transit",
    __name__,
    url_prefix="/api/v1/transit",
    description="Buses: stops, routes and next arrivals (GTFS and GTFS-Realtime)",
)


@bp.before_request
def read_without_a_transaction() -> None:
    """Every transit answer only reads: no BEGIN and ROLLBACK around it (two round trips of
    the few a PostgreSQL answer takes). An import switches versions in one commit; a request
    that straddles it answers from the old network with what it still finds."""
    db.session.connection(execution_options={"isolation_level": "AUTOCOMMIT"})


def _stop_pk(net: TransitNetwork, stop_id: str) -> int:
    pk = net.stop_by_id.get(stop_id)
    if pk is None:
        raise ApiError("not_found", data={"stop": stop_id})
    return pk


@bp.get("/stops")
@cached_public("transit", seconds=STOP_SEARCH_ANSWER_SECONDS)
@bp.arguments(StopSearchQuerySchema, location="query")
@bp.response(200, envelope_of(StopSchema, many=True))
def stops(query: dict):
    """Stations and stops by name (Chinese or English, aliases, typos), best first; a
    station comes once, with its platforms."""
    net, locale = active_network(), current_locale()
    found = search_stops(net, query["q"], query["limit"])
    return ok(
        [
            {**present_stop(net, pk, locale, matched=name), "score": score}
            for pk, score, name in found
        ]
    )


@bp.get("/stops/nearby")
@bp.arguments(NearbyQuerySchema, location="query")
@bp.response(200, envelope_of(StopSchema, many=True))
def nearby(query: dict):
    """Stations and stops within ``radius`` metres of a point, nearest first."""
    net, locale = active_network(), current_locale()
    found = nearby_stops(net, query["lat"], query["lon"], query["radius"], query["limit"])
    return ok(
        [
            present_stop(net, pk, locale, distance=distance, platform_distances=dict(stops))
            for pk, distance, stops in found
        ]
    )


@bp.get("/stops/<stop_id>")
@bp.response(200, envelope_of(StopSchema))
def stop(stop_id: str):
    """One stop or station (with its platforms) and the routes and directions calling there."""
    net = active_network()
    return ok(present_stop(net, _stop_pk(net, stop_id), current_locale()))


@bp.get("/stops/<stop_id>/arrivals")
@cached_public("transit", seconds=ARRIVALS_ANSWER_SECONDS)
@bp.arguments(ArrivalsQuerySchema, location="query")
@bp.response(200, envelope_of(ArrivalsSchema))
def arrivals(query: dict, stop_id: str):
    """Next arrivals at a stop, or at every platform of a station: all routes, or one route
    (id or short name) and direction. Realtime predictions when fresh, else the schedule."""
    net, locale = active_network(), current_locale()
    pk = _stop_pk(net, stop_id)
    now = query.get("at") or utcnow()
    window = timedelta(minutes=query["window_minutes"])
    found, state = next_arrivals(
        net,
        net.boarding_stops(pk) or [pk],
        now,
        window,
        query["limit"],
        route_filter(net, query.get("route")),
        query.get("direction"),
        query["include_canceled"],
    )
    presented = [present_arrival(net, arrival, now, locale) for arrival in found]
    # The busiest endpoint answers without marshmallow: ``plain`` writes exactly what
    # ArrivalsSchema would (tests/api/test_transit_api.py compares them).
    return jsonify(
        plain(
            ok(
                {
                    "stop": present_stop_brief(net, pk, locale),
                    "now": now.astimezone(net.zone),
                    "windowMinutes": query["window_minutes"],
                    "realtime": realtime_block(net, state),
                    "dataSource": "realtime"
                    if any(a["predicted"] for a in presented)
                    else "schedule",
                    "arrivals": presented,
                }
            )
        )
    )


@bp.get("/routes")
@bp.arguments(RouteSearchQuerySchema, location="query")
@bp.response(200, envelope_of(RouteBriefSchema, many=True))
def routes(query: dict):
    """Routes by short name ("Route 55", "55") or long name; every route without ``q``."""
    net, locale = active_network(), current_locale()
    found = (
        find_routes(net, query["q"], limit=query["limit"])
        if query.get("q")
        else sorted(net.routes.values(), key=route_order)[: query["limit"]]
    )
    return ok([route_brief(net, route, locale) for route in found])


@bp.get("/routes/<route_id>")
@bp.arguments(RouteQuerySchema, location="query")
@bp.response(200, envelope_of(RouteSchema))
def route(query: dict, route_id: str):
    """One route with each direction's stops in order, and today's first and last departure."""
    net = active_network()
    return ok(
        route_detail(
            net, route_by_id(net, route_id), utcnow(), current_locale(), query["include_shape"]
        )
    )


@bp.get("/places/routes")
@bp.arguments(PlaceRoutesQuerySchema, location="query")
@bp.response(200, envelope_of(PlaceRoutesSchema))
def place_routes(query: dict):
    """Which routes go to a place ("which bus to the Sports Center?"): routes calling at the
    stations and stops of that name; with ``lat``/``lon``, only those boarding within
    ``radius`` metres."""
    net, locale = active_network(), current_locale()
    origin = (query["lat"], query["lon"]) if "lat" in query else None
    places, found = routes_serving_place(net, query["q"], locale, origin, query["radius"])
    return ok(
        {
            "query": query["q"],
            "places": [present_stop(net, pk, locale) for pk in places],
            "routes": found,
        }
    )
