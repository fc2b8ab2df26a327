"""Query and response shapes of the air-quality endpoints."""

from __future__ import annotations

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

STANDARDS = ("2026", "2012")


class PlaceQuerySchema(Schema):
    district = fields.String(
        validate=validate.Length(min=1, max=32), metadata={"example": "tianhe"}
    )
    station = fields.String(validate=validate.Length(min=1, max=16), metadata={"example": "1347A"})
    lat = fields.Float(validate=validate.Range(min=-90, max=90))
    lon = fields.Float(validate=validate.Range(min=-180, max=180))
    standard = fields.String(
        load_default="2026",
        validate=validate.OneOf(STANDARDS),
        metadata={"description": "HJ 633 edition"},
    )

    @validates_schema
    def latitude_with_longitude(self, data, **kwargs):
        if ("lat" in data) != ("lon" in data):
            raise ValidationError("lat and lon go together", "lat")


class HoursQuerySchema(PlaceQuerySchema):
    hours = fields.Integer(load_default=24, validate=validate.Range(min=1, max=72))


class DaysQuerySchema(PlaceQuerySchema):
    end = fields.Date(metadata={"description": "last day (city time); default yesterday"})
    days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=31))


class PlaceSchema(Schema):
    kind = fields.String(metadata={"description": "city, district or station"})
    code = fields.String()
    name = fields.String()


class PollutantSchema(Schema):
    code = fields.String()
    indicator = fields.String()
    name = fields.String()
    concentration = fields.Float(allow_none=True)
    unit = fields.String()
    iaqi = fields.Integer(allow_none=True)
    status = fields.String(metadata={"description": "ok, NA (missing) or / (not measured)"})


class PrimaryPollutantSchema(Schema):
    code = fields.String()
    indicator = fields.String()
    name = fields.String()


class AqiReportSchema(Schema):
    standard = fields.String()
    report = fields.String()
    aqi = fields.Integer(allow_none=True)
    aqi_status = fields.String()
    published = fields.Boolean()
    level = fields.Integer(allow_none=True)
    level_name = fields.String(allow_none=True)
    category = fields.String(allow_none=True)
    color_hex = fields.String(allow_none=True)
    health_effect = fields.String(allow_none=True)
    advice = fields.String(allow_none=True)
    primary_pollutants = fields.List(fields.Nested(PrimaryPollutantSchema))
    sensitive_groups = fields.List(fields.String())
    pollutants = fields.List(fields.Nested(PollutantSchema))


class HourlyReportSchema(Schema):
    place = fields.Nested(PlaceSchema)
    hour_start = fields.DateTime(allow_none=True)
    report = fields.Nested(AqiReportSchema, allow_none=True)


class HourlySeriesSchema(Schema):
    place = fields.Nested(PlaceSchema)
    hours = fields.List(
        fields.Nested(
            Schema.from_dict(
                {"hour_start": fields.DateTime(), "report": fields.Nested(AqiReportSchema)},
                name="HourReport",
            )
        )
    )


class DailySeriesSchema(Schema):
    place = fields.Nested(PlaceSchema)
    days = fields.List(
        fields.Nested(
            Schema.from_dict(
                {"date": fields.Date(), "report": fields.Nested(AqiReportSchema)}, name="DayReport"
            )
        )
    )


class StationSchema(Schema):
    code = fields.String()
    name = fields.String()
    district = fields.String(attribute="district_code")
    latitude = fields.Float()
    longitude = fields.Float()
