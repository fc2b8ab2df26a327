"""Transit answers as JSON-ready dicts, names in the request's locale.

Field names follow OneBusAway's arrivals-and-departures (``routeShortName``,
``scheduledArrivalTime``, ``predicted``, ``numberOfStopsAway``, ``distanceFromStop`` …); times are
moments with the feed's UTC offset.
"""

from __future__ import annotations

from datetime import date, datetime

from .arrivals import Arrival
from .network import STATION, RouteInfo, TransitNetwork
from .realtime.state import RealtimeState


def plain(value):
    """``value`` with its dates and moments as ISO 8601 text, as marshmallow writes them."""
    if isinstance(value, dict):
        return {key: plain(item) for key, item in value.items()}
    if isinstance(value, list):
        return [plain(item) for item in value]
    if isinstance(value, (date, datetime)):
        return value.isoformat()
    return value


def route_brief(net: TransitNetwork, route: RouteInfo, locale: str) -> dict:
    short, long = net.route_names(route, locale)
    return {
        "id": route.route_id,
        "shortName": short,
        "longName": long,
        "type": route.route_type,
        "color": route.color,
        "textColor": route.text_color,
    }


def _directions(net: TransitNetwork, stop_pk: int, locale: str) -> list[dict]:
    out = []
    for route_pk, direction_id, position in net.routes_at_stop.get(stop_pk, ()):
        route, direction = net.routes[route_pk], net.directions[(route_pk, direction_id)]
        out.append(
            {
                "routeId": route.route_id,
                "routeShortName": net.route_names(route, locale)[0],
                "directionId": direction_id,
                "headsign": _headsign(net, direction.headsign, direction.stops, locale),
                "terminus": position == len(direction.stops) - 1,
            }
        )
    return out


def _headsign(net: TransitNetwork, headsign: str | None, stops: list, locale: str) -> str | None:
    if headsign:
        return net.headsign(headsign, locale)
    return net.stop_name(net.stops[stops[-1][0]], locale) if stops else None


def present_stop(
    net: TransitNetwork,
    pk: int,
    locale: str,
    distance: float | None = None,
    matched: str | None = None,
    platform_distances: dict[int, float] | None = None,
) -> dict:
    """A stop, or a station with its platforms; ``routes`` and ``directions`` say what calls."""
    stop = net.stops[pk]
    parent = net.stops.get(stop.parent_pk) if stop.parent_pk else None
    platforms = []
    directions = _directions(net, pk, locale)
    if stop.location_type == STATION:
        for child_pk in net.boarding_stops(pk):
            child = net.stops[child_pk]
            child_directions = _directions(net, child_pk, locale)
            directions += child_directions
            platforms.append(
                {
                    "id": child.stop_id,
                    "name": net.stop_name(child, locale),
                    "code": child.code,
                    "platformCode": child.platform_code,
                    "lat": child.lat,
                    "lon": child.lon,
                    "distance": (platform_distances or {}).get(child_pk),
                    "directions": child_directions,
                }
            )
    routes: dict[str, dict] = {}
    for direction in directions:
        route = net.routes[net.route_by_id[direction["routeId"]]]
        routes.setdefault(route.route_id, route_brief(net, route, locale))
    return {
        "id": stop.stop_id,
        "code": stop.code,
        "name": net.stop_name(stop, locale),
        "lat": stop.lat,
        "lon": stop.lon,
        "locationType": "station" if stop.location_type == STATION else "stop",
        "parentStationId": parent.stop_id if parent else None,
        "parentStationName": net.stop_name(parent, locale) if parent else None,
        "platformCode": stop.platform_code,
        "distance": distance,
        "matchedName": matched,
        "routes": list(routes.values()),
        "directions": directions,
        "platforms": platforms,
    }


def present_stop_brief(net: TransitNetwork, pk: int, locale: str) -> dict:
    """A stop or station without what calls there (arrivals carry that)."""
    stop = net.stops[pk]
    platforms = net.boarding_stops(pk) if stop.location_type == STATION else []
    parent = net.stops.get(stop.parent_pk) if stop.parent_pk else None
    return {
        "id": stop.stop_id,
        "code": stop.code,
        "name": net.stop_name(stop, locale),
        "lat": stop.lat,
        "lon": stop.lon,
        "locationType": "station" if stop.location_type == STATION else "stop",
        "parentStationId": parent.stop_id if parent else None,
        "parentStationName": net.stop_name(parent, locale) if parent else None,
        "platformCode": stop.platform_code,
        "platforms": [
            {
                "id": child.stop_id,
                "name": net.stop_name(child, locale),
                "code": child.code,
                "platformCode": child.platform_code,
                "lat": child.lat,
                "lon": child.lon,
            }
            for child in map(net.stops.get, platforms)
        ],
    }


def realtime_block(net: TransitNetwork, state: RealtimeState) -> dict:
    stamp = state.feed_timestamp.astimezone(net.zone) if state.feed_timestamp else None
    return {
        "status": state.status,
        "feedTimestamp": stamp,
        "ageSeconds": state.age_seconds,
        "maxAgeSeconds": state.max_age_seconds,
    }


def present_arrival(net: TransitNetwork, arrival: Arrival, now: datetime, locale: str) -> dict:
    visit, zone = arrival.visit, net.zone
    route = net.routes[visit.route_pk]
    short, long = net.route_names(route, locale)
    stop = net.stops[visit.stop_pk]
    headsign = visit.stop_headsign or visit.headsign
    if headsign:
        headsign = net.headsign(headsign, locale, visit.trip_id)
    else:
        direction = net.directions.get((visit.route_pk, visit.direction_id or 0))
        headsign = _headsign(net, None, direction.stops if direction else [], locale)
    seconds_away = max(0, int((arrival.arrival - now).total_seconds()))
    predicted = arrival.predicted_arrival is not None

    def local(moment: datetime | None) -> datetime | None:
        return moment.astimezone(zone) if moment else None

    delay = (
        int((arrival.predicted_arrival - arrival.scheduled_arrival).total_seconds())
        if predicted
        else None
    )
    return {
        "routeId": route.route_id,
        "routeShortName": short,
        "routeLongName": long,
        "tripId": visit.trip_id,
        "tripHeadsign": headsign,
        "directionId": visit.direction_id,
        "serviceDate": visit.service_date,
        "stopId": stop.stop_id,
        "stopName": net.stop_name(stop, locale),
        "platformCode": stop.platform_code,
        "stopSequence": visit.stop_sequence,
        "totalStopsInTrip": visit.stop_count,
        "scheduledArrivalTime": local(arrival.scheduled_arrival),
        "scheduledDepartureTime": local(arrival.scheduled_departure),
        "predictedArrivalTime": local(arrival.predicted_arrival),
        "predictedDepartureTime": local(arrival.predicted_departure),
        "arrivalTime": local(arrival.arrival),
        "minutesAway": seconds_away // 60,
        "secondsAway": seconds_away,
        "predicted": predicted,
        "source": "realtime" if predicted else "schedule",
        "delaySeconds": delay,
        "status": arrival.status,
        "numberOfStopsAway": arrival.stops_away,
        "distanceFromStop": arrival.distance_from_stop,
        "vehicleId": arrival.vehicle_id,
        "vehiclePosition": (
            {
                "lat": round(arrival.vehicle_position[0], 6),
                "lon": round(arrival.vehicle_position[1], 6),
            }
            if arrival.vehicle_position
            else None
        ),
        "lastUpdateTime": local(arrival.realtime.timestamp) if arrival.realtime else None,
        "arrivalEnabled": visit.stop_index > 0 and visit.drop_off_type != 1,
        "departureEnabled": visit.stop_index < visit.stop_count - 1 and visit.pickup_type != 1,
        "frequencyHeadwaySeconds": visit.headway_secs,
    }
