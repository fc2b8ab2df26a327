"""Query and response shapes of the transit endpoints (camelCase, as OneBusAway names them)."""

from __future__ import annotations

from datetime import datetime, timezone

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

MAX_RADIUS_METRES = 5000
EARLIEST = datetime(1970, 1, 1, tzinfo=timezone.utc)
LATEST = datetime(2100, 1, 1, tzinfo=timezone.utc)


class StopSearchQuerySchema(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"example": "Sports Center"},
    )
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))


class NearbyQuerySchema(Schema):
    lat = fields.Float(required=True, validate=validate.Range(min=-90, max=90))
    lon = fields.Float(required=True, validate=validate.Range(min=-180, max=180))
    radius = fields.Float(
        load_default=500,
        validate=validate.Range(min=1, max=MAX_RADIUS_METRES),
        metadata={"description": "metres"},
    )
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=100))


class ArrivalsQuerySchema(Schema):
    route = fields.String(
        validate=validate.Length(min=1, max=64),
        metadata={"description": "route id or short name (55, Route 55)"},
    )
    direction = fields.Integer(validate=validate.OneOf([0, 1]))
    limit = fields.Integer(load_default=10, validate=validate.Range(min=1, max=50))
    window_minutes = fields.Integer(load_default=60, validate=validate.Range(min=1, max=720))
    # Zones have no fixed offsets before 1901 (local mean time, +08:05:43 in Shanghai), which
    # RFC 3339 cannot write; timetables are about the present anyway.
    at = fields.AwareDateTime(
        validate=validate.Range(min=EARLIEST, max=LATEST),
        metadata={"description": "the moment to answer for (1970 to 2100); default now"},
    )
    include_canceled = fields.Boolean(
        load_default=False, metadata={"description": "also cancelled trips and skipped calls"}
    )


class RouteSearchQuerySchema(Schema):
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"example": "55"})
    limit = fields.Integer(load_default=20, validate=validate.Range(min=1, max=500))


class RouteQuerySchema(Schema):
    include_shape = fields.Boolean(
        load_default=False, metadata={"description": "each direction's encoded polyline"}
    )


class PlaceRoutesQuerySchema(Schema):
    q = fields.String(
        required=True,
        validate=validate.Length(min=1, max=100),
        metadata={"example": "Sports Center"},
    )
    lat = fields.Float(
        validate=validate.Range(min=-90, max=90),
        metadata={"description": "where the citizen is (optional)"},
    )
    lon = fields.Float(validate=validate.Range(min=-180, max=180))
    radius = fields.Float(load_default=600, validate=validate.Range(min=1, max=MAX_RADIUS_METRES))

    @validates_schema
    def latitude_with_longitude(self, data, **kwargs):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("lat and lon go together", "lat")


# --- responses -------------------------------------------------------------------------------
class RouteBriefSchema(Schema):
    id = fields.String()
    shortName = fields.String(allow_none=True)
    longName = fields.String(allow_none=True)
    type = fields.Integer(metadata={"description": "GTFS route_type (3 bus)"})
    color = fields.String(allow_none=True)
    textColor = fields.String(allow_none=True)


class StopDirectionSchema(Schema):
    routeId = fields.String()
    routeShortName = fields.String(allow_none=True)
    directionId = fields.Integer()
    headsign = fields.String(allow_none=True, metadata={"description": "towards"})
    terminus = fields.Boolean(metadata={"description": "the direction ends here"})


class PlatformBriefSchema(Schema):
    id = fields.String()
    name = fields.String()
    code = fields.String(allow_none=True)
    platformCode = fields.String(allow_none=True)
    lat = fields.Float()
    lon = fields.Float()


class PlatformSchema(PlatformBriefSchema):
    distance = fields.Float(allow_none=True, metadata={"description": "metres (nearby only)"})
    directions = fields.List(fields.Nested(StopDirectionSchema))


class _StopFieldsSchema(Schema):
    """What every answer says of a stop or station."""

    id = fields.String()
    code = fields.String(allow_none=True)
    name = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    locationType = fields.String(metadata={"description": "station or stop"})
    parentStationId = fields.String(allow_none=True)
    parentStationName = fields.String(allow_none=True)
    platformCode = fields.String(allow_none=True)


class StopSchema(_StopFieldsSchema):
    distance = fields.Float(allow_none=True, metadata={"description": "metres (nearby only)"})
    matchedName = fields.String(allow_none=True, metadata={"description": "name or alias matched"})
    score = fields.Float(allow_none=True, metadata={"description": "match quality 0..1 (search)"})
    routes = fields.List(fields.Nested(RouteBriefSchema))
    directions = fields.List(fields.Nested(StopDirectionSchema))
    platforms = fields.List(fields.Nested(PlatformSchema))


class StopBriefSchema(_StopFieldsSchema):
    platforms = fields.List(fields.Nested(PlatformBriefSchema))


class RealtimeSchema(Schema):
    status = fields.String(
        metadata={"description": "fresh, stale (older than maxAgeSeconds: schedule used) or none"}
    )
    feedTimestamp = fields.DateTime(allow_none=True)
    ageSeconds = fields.Integer(allow_none=True)
    maxAgeSeconds = fields.Integer()


class PositionSchema(Schema):
    lat = fields.Float()
    lon = fields.Float()


class ArrivalSchema(Schema):
    routeId = fields.String()
    routeShortName = fields.String(allow_none=True)
    routeLongName = fields.String(allow_none=True)
    tripId = fields.String()
    tripHeadsign = fields.String(allow_none=True)
    directionId = fields.Integer(allow_none=True)
    serviceDate = fields.Date()
    stopId = fields.String()
    stopName = fields.String()
    platformCode = fields.String(allow_none=True)
    stopSequence = fields.Integer()
    totalStopsInTrip = fields.Integer()
    scheduledArrivalTime = fields.DateTime()
    scheduledDepartureTime = fields.DateTime()
    predictedArrivalTime = fields.DateTime(allow_none=True)
    predictedDepartureTime = fields.DateTime(allow_none=True)
    arrivalTime = fields.DateTime(metadata={"description": "predicted if known, else scheduled"})
    minutesAway = fields.Integer()
    secondsAway = fields.Integer()
    predicted = fields.Boolean()
    source = fields.String(metadata={"description": "realtime or schedule"})
    delaySeconds = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "scheduled, skipped or canceled"})
    numberOfStopsAway = fields.Integer(allow_none=True)
    distanceFromStop = fields.Float(
        allow_none=True, metadata={"description": "metres along the route"}
    )
    vehicleId = fields.String(allow_none=True)
    vehiclePosition = fields.Nested(PositionSchema, allow_none=True)
    lastUpdateTime = fields.DateTime(allow_none=True)
    arrivalEnabled = fields.Boolean()
    departureEnabled = fields.Boolean()
    frequencyHeadwaySeconds = fields.Integer(
        allow_none=True,
        metadata={"description": "set when the trip runs on a headway: times are approximate"},
    )


class ArrivalsSchema(Schema):
    stop = fields.Nested(StopBriefSchema)
    now = fields.DateTime()
    windowMinutes = fields.Integer()
    realtime = fields.Nested(RealtimeSchema)
    dataSource = fields.String(metadata={"description": "realtime when any arrival is predicted"})
    arrivals = fields.List(fields.Nested(ArrivalSchema))


class RouteStopSchema(Schema):
    id = fields.String()
    name = fields.String()
    lat = fields.Float()
    lon = fields.Float()
    parentStationId = fields.String(allow_none=True)
    distanceAlong = fields.Float(metadata={"description": "metres from the first stop"})


class RouteDirectionSchema(Schema):
    directionId = fields.Integer()
    headsign = fields.String(allow_none=True)
    stops = fields.List(fields.Nested(RouteStopSchema))
    firstDeparture = fields.DateTime(allow_none=True, metadata={"description": "today's service"})
    lastDeparture = fields.DateTime(allow_none=True)
    tripsToday = fields.Integer()
    polyline = fields.String(allow_none=True, metadata={"description": "encoded polyline"})


class RouteSchema(RouteBriefSchema):
    agencyName = fields.String(allow_none=True)
    directions = fields.List(fields.Nested(RouteDirectionSchema))


class PlaceRouteDirectionSchema(Schema):
    directionId = fields.Integer()
    headsign = fields.String(allow_none=True)
    alightAt = fields.Nested(RouteStopSchema)
    boardAt = fields.Nested(RouteStopSchema, allow_none=True)
    walkMetres = fields.Float(allow_none=True)
    stopsBetween = fields.Integer(allow_none=True)


class PlaceRouteSchema(RouteBriefSchema):
    directions = fields.List(fields.Nested(PlaceRouteDirectionSchema))


class PlaceRoutesSchema(Schema):
    query = fields.String()
    places = fields.List(fields.Nested(StopSchema))
    routes = fields.List(fields.Nested(PlaceRouteSchema))
