"""An Open311 GeoReport v2 view of the catalog and of applications, for existing clients.

Responses are Open311's own JSON (not our envelope): ``services.json`` lists the catalog,
``services/{code}.json`` is a service definition, ``requests/{id}.json`` is one application
(its number is the ``service_request_id``), shown only to its own citizen or an operator,
with the same bearer token as the rest of the API; to anyone else it does not exist. Errors are
``[{"code": 404, "description": "..."}]`` as the specification has them.
"""

from __future__ import annotations

from flask import jsonify
from flask_smorest import Blueprint
from marshmallow import Schema, fields

from ..i18n import current_locale, translate
from . import numbers
from .models import Application, ServiceItem
from .presenter import state_name
from .service import find_by_number, get_item, progress, search_service_items
from .states import is_open

bp = Blueprint(
    "open311",
    __name__,
    url_prefix="/api/v1/open311",
    description="Open311 GeoReport v2 (read-only)",
)
SUBMIT_ATTRIBUTES = (("applicant_name", "string"), ("id_card", "string"))


# --- the GeoReport v2 shapes, for the spec (the views build the JSON themselves) -------------
class Open311ServiceSchema(Schema):
    service_code = fields.String(required=True)
    service_name = fields.String(required=True)
    description = fields.String(allow_none=True)
    metadata = fields.Boolean(required=True)
    type = fields.String(required=True)
    keywords = fields.String(allow_none=True)
    group = fields.String(allow_none=True)


class Open311AttributeSchema(Schema):
    variable = fields.Boolean(required=True)
    code = fields.String(required=True)
    datatype = fields.String(required=True)
    required = fields.Boolean(required=True)
    datatype_description = fields.String(allow_none=True)
    order = fields.Integer(required=True)
    description = fields.String(required=True)


class Open311DefinitionSchema(Schema):
    service_code = fields.String(required=True)
    attributes = fields.List(fields.Nested(Open311AttributeSchema), required=True)


class Open311RequestSchema(Schema):
    service_request_id = fields.String(required=True)
    status = fields.String(required=True)
    status_notes = fields.String(allow_none=True)
    service_name = fields.String(allow_none=True)
    service_code = fields.String(allow_none=True)
    description = fields.String(allow_none=True)
    agency_responsible = fields.String(allow_none=True)
    service_notice = fields.String(allow_none=True)
    requested_datetime = fields.String(allow_none=True)
    updated_datetime = fields.String(allow_none=True)
    expected_datetime = fields.String(allow_none=True)
    address = fields.String(allow_none=True)
    address_id = fields.String(allow_none=True)
    zipcode = fields.String(allow_none=True)
    lat = fields.Float(allow_none=True)
    long = fields.Float(allow_none=True)
    media_url = fields.String(allow_none=True)


class Open311ErrorSchema(Schema):
    code = fields.Integer(required=True)
    description = fields.String(required=True)


NOT_FOUND = {"schema": Open311ErrorSchema(many=True), "description": "Open311's error list"}


def _service(item: ServiceItem, locale: str) -> dict:
    return {
        "service_code": item.code,
        "service_name": item.text("name", locale),
        "description": item.text("how_to_apply", locale),
        "metadata": True,
        "type": "batch",
        "keywords": ", ".join(item.keywords),
        "group": item.text("department", locale),
    }


def _error(status: int):
    response = jsonify([{"code": status, "description": translate("error.not_found")}])
    response.status_code = status
    return response


@bp.get("/services.json")
@bp.response(200, Open311ServiceSchema(many=True))
def services():
    """Every service item, as Open311 services."""
    locale = current_locale()
    return jsonify([_service(item, locale) for item in search_service_items(None)])


@bp.get("/services/<code>.json")
@bp.response(200, Open311DefinitionSchema)
@bp.alt_response(404, **NOT_FOUND)
def service_definition(code: str):
    """The attributes an application for this service takes, and its materials."""
    from ..errors import ApiError

    locale = current_locale()
    try:
        item = get_item(code)
    except ApiError:
        return _error(404)
    attributes = [
        {
            "variable": True,
            "code": name,
            "datatype": datatype,
            "required": True,
            "datatype_description": None,
            "order": order,
            "description": translate(f"open311.attribute.{name}", locale),
        }
        for order, (name, datatype) in enumerate(SUBMIT_ATTRIBUTES, start=1)
    ]
    attributes += [
        {
            "variable": False,
            "code": f"material_{index}",
            "datatype": "text",
            "required": False,
            "datatype_description": None,
            "order": len(SUBMIT_ATTRIBUTES) + index,
            "description": material,
        }
        for index, material in enumerate(item.text("materials", locale), start=1)
    ]
    return jsonify({"service_code": item.code, "attributes": attributes})


def _request(application: Application, locale: str) -> dict:
    status = progress(application)
    last = application.events[-1]
    return {
        "service_request_id": numbers.display(application.number),
        "status": "open" if is_open(application.state) else "closed",
        "status_notes": state_name(application.state, locale),
        "service_name": application.item.text("name", locale),
        "service_code": application.item_code,
        "description": None,
        "agency_responsible": last.department or application.item.text("department", locale),
        "service_notice": None,
        "requested_datetime": application.submitted_at.isoformat(),
        "updated_datetime": application.updated_at.isoformat(),
        "expected_datetime": status.due_on.isoformat() + "T17:30:00+08:00"
        if status.due_on
        else None,
        "address": None,
        "address_id": None,
        "zipcode": None,
        "lat": None,
        "long": None,
        "media_url": None,
    }


def _may_see(application: Application) -> bool:
    from ..auth import current_citizen
    from ..errors import ApiError

    try:
        viewer = current_citizen()
    except ApiError:
        return False
    return viewer.id == application.citizen_id or viewer.is_operator


@bp.get("/requests/<request_id>.json")
@bp.response(200, Open311RequestSchema(many=True))
@bp.alt_response(404, **NOT_FOUND)
def service_request(request_id: str):
    """One application's status, by its number, for its citizen or an operator."""
    application = find_by_number(request_id)
    if application is None or not _may_see(application):
        return _error(404)
    return jsonify([_request(application, current_locale())])
