"""The bot's bus replies: stops and routes named by their GTFS ids, worded in the conversation's
language (the feed's translations), arrivals as the action saw them."""

from __future__ import annotations

import json
from typing import Any

from ..errors import ApiError
from ..i18n import join_list, translate
from .network import TransitNetwork, active_network
from .presenter import present_stop

MAX_BUTTONS = 6


def _network() -> TransitNetwork | None:
    try:
        return active_network()
    except ApiError:  # no feed imported: the reply names nothing
        return None


def _stop_name(net: TransitNetwork, stop_id: Any, locale: str) -> str | None:
    pk = net.stop_by_id.get(str(stop_id))
    return net.stop_name(net.stops[pk], locale) if pk is not None else None


def _route_short(net: TransitNetwork, route_id: Any, locale: str) -> str | None:
    pk = net.route_by_id.get(str(route_id))
    if pk is None:
        return None
    short, long = net.route_names(net.routes[pk], locale)
    return short or long


def _payload(intent: str, **entities: Any) -> str:
    return f"/{intent}" + json.dumps(
        {k: str(v) for k, v in entities.items() if v}, ensure_ascii=False
    )


def _arrival(net: TransitNetwork, arrival: dict, locale: str) -> str:
    route = _route_short(net, arrival.get("routeId"), locale) or arrival.get("routeShortName")
    headsign = net.headsign(arrival.get("tripHeadsign"), locale, arrival.get("tripId")) or ""
    minutes = arrival.get("minutesAway")
    stops = arrival.get("numberOfStopsAway")
    stops_clause = (
        ""
        if not isinstance(stops, int) or stops < 0
        else translate("transit.stops_away", locale, stops=stops)
    )
    if arrival.get("status") in ("canceled", "cancelled"):
        return translate("transit.arrival_cancelled", locale, route=route, headsign=headsign)
    key = "transit.arrival_now" if not minutes else "transit.arrival_entry"
    return translate(
        key,
        locale,
        route=route,
        headsign=headsign,
        minutes=minutes,
        stops_clause=stops_clause,
        realtime_mark=translate("transit.realtime_mark", locale)
        if arrival.get("predicted")
        else "",
    )


def _source_clause(realtime: Any, arrivals: list, locale: str) -> str:
    status = realtime.get("status") if isinstance(realtime, dict) else None
    if any(a.get("predicted") for a in arrivals):
        return ""
    if status == "stale":
        age = realtime.get("ageSeconds") or 0
        return translate("transit.stale_clause", locale, minutes=max(1, round(age / 60)))
    return translate("transit.schedule_only_clause", locale)


def transit_arguments(arguments: dict, locale: str) -> dict:
    net = _network()
    if net is None:
        return {}
    derived: dict[str, Any] = {}
    if arguments.get("stop_id"):
        derived["stop"] = _stop_name(net, arguments["stop_id"], locale)
    if arguments.get("route"):
        route = str(arguments["route"])
        derived["route_name"] = translate(
            "transit.route_name", locale, route=_route_short(net, route, locale) or route
        )
    arrivals = [a for a in arguments.get("arrivals") or [] if isinstance(a, dict)]
    if "arrivals" in arguments:
        derived["arrivals_clause"] = (
            join_list([_arrival(net, a, locale) for a in arrivals], locale)
            if arrivals
            else translate("transit.no_arrivals", locale)
        )
        derived["source_clause"] = _source_clause(arguments.get("realtime"), arrivals, locale)
    stops = [s for s in arguments.get("stops") or [] if isinstance(s, dict)]
    if stops:
        entries = []
        for entry in stops:
            pk = net.stop_by_id.get(str(entry.get("id")))
            if pk is None:
                continue
            shown = present_stop(net, pk, locale)
            routes = join_list([r["shortName"] or r["longName"] for r in shown["routes"]], locale)
            entries.append(
                translate(
                    "transit.nearby_entry",
                    locale,
                    stop=shown["name"],
                    distance=round(entry.get("distance") or 0),
                    routes=routes,
                )
            )
        derived.update(stops_list=join_list(entries, locale), count=len(entries))
    route_ids = arguments.get("route_ids")
    if isinstance(route_ids, list):
        names = [
            translate("transit.route_name", locale, route=_route_short(net, r, locale))
            for r in route_ids
            if _route_short(net, r, locale)
        ]
        derived["routes_list"] = join_list(names, locale)
    if arguments.get("route_id"):
        derived.update(_route_stops(net, arguments["route_id"], locale))
    return derived


def _route_stops(net: TransitNetwork, route_id: Any, locale: str) -> dict:
    pk = net.route_by_id.get(str(route_id))
    if pk is None:
        return {}
    lines = []
    for (route_pk, _), direction in sorted(net.directions.items()):
        if route_pk != pk or not direction.stops:
            continue
        names = [net.stop_name(net.stops[stop_pk], locale) for stop_pk, _ in direction.stops]
        lines.append(
            translate(
                "transit.direction_entry",
                locale,
                headsign=names[-1],
                stops=join_list(names, locale),
            )
        )
    return {
        "route_name": translate(
            "transit.route_name", locale, route=_route_short(net, route_id, locale)
        ),
        "directions_list": " ".join(lines),
    }


def stop_buttons(locale: str, arguments: dict) -> list[dict]:
    """A button per stop offered (the ambiguous name's stations, or the stops nearby)."""
    net = _network()
    if net is None:
        return []
    ids = arguments.get("stop_ids") or [
        s.get("id") for s in arguments.get("stops") or [] if isinstance(s, dict)
    ]
    buttons = []
    for stop_id in ids[:MAX_BUTTONS]:
        name = _stop_name(net, stop_id, locale)
        if name:
            buttons.append(
                {
                    "title": name,
                    "payload": _payload(
                        "ask_bus_arrival", stop_id=stop_id, route=arguments.get("route")
                    ),
                }
            )
    return buttons


def message_ids() -> list[str]:
    return [
        "transit.stops_away",
        "transit.arrival_entry",
        "transit.arrival_now",
        "transit.arrival_cancelled",
        "transit.realtime_mark",
        "transit.no_arrivals",
        "transit.stale_clause",
        "transit.schedule_only_clause",
        "transit.route_name",
        "transit.nearby_entry",
        "transit.direction_entry",
    ]
