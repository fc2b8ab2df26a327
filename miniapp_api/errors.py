"""One error contract: every error body is ``{"errcode", "errmsg", "data"}``.

``errcode`` is stable (HTTP status × 100 + a number); ``errmsg`` is the message id translated into
the request's locale; ``data`` carries details such as the fields that failed validation.
"""

from __future__ import annotations

import logging
from dataclasses import dataclass
from typing import Any

from citizen_common import errcodes
from flask import Flask, Response, jsonify
from sqlalchemy.exc import DataError, DBAPIError, OperationalError
from werkzeug.exceptions import HTTPException

from .db import db
from .i18n import translate

logger = logging.getLogger(__name__)


@dataclass(frozen=True)
class ErrorKind:
    status: int
    errcode: int
    message_id: str


ERRORS: dict[str, ErrorKind] = {
    "bad_request": ErrorKind(400, 40000, "error.bad_request"),
    "invalid_json": ErrorKind(400, 40001, "error.invalid_json"),
    "unauthorized": ErrorKind(401, 40100, "error.unauthorized"),
    "token_expired": ErrorKind(401, 40101, "error.token_expired"),
    "token_invalid": ErrorKind(401, 40102, "error.token_invalid"),
    "login_failed": ErrorKind(401, 40103, "error.login_failed"),
    # A guest conversation (no identity assertion) asked for something personal.
    "sign_in_required": ErrorKind(401, errcodes.SIGN_IN_REQUIRED, "error.sign_in_required"),
    "forbidden": ErrorKind(403, 40300, "error.forbidden"),
    "not_found": ErrorKind(404, 40400, "error.not_found"),
    # Hospital appointments (404: unknown, or another citizen's).
    "unknown_hospital": ErrorKind(404, 40410, "error.unknown_hospital"),
    "unknown_department": ErrorKind(404, 40411, "error.unknown_department"),
    "unknown_doctor": ErrorKind(404, 40412, "error.unknown_doctor"),
    "unknown_slot": ErrorKind(404, 40413, "error.unknown_slot"),
    "unknown_patient": ErrorKind(404, 40414, "error.unknown_patient"),
    "unknown_appointment": ErrorKind(404, 40415, "error.unknown_appointment"),
    "method_not_allowed": ErrorKind(405, 40500, "error.method_not_allowed"),
    "conflict": ErrorKind(409, 40900, "error.conflict"),
    "phone_in_use": ErrorKind(409, 40901, "error.phone_in_use"),
    "illegal_transition": ErrorKind(409, 40902, "error.illegal_transition"),
    # Hospital appointments: one kind per booking rule.
    "slot_full": ErrorKind(409, 40910, "error.slot_full"),
    "outside_booking_window": ErrorKind(409, 40911, "error.outside_booking_window"),
    "slot_in_past": ErrorKind(409, 40912, "error.slot_in_past"),
    "duplicate_doctor_day": ErrorKind(409, 40913, "error.duplicate_doctor_day"),
    "daily_limit_reached": ErrorKind(409, 40914, "error.daily_limit_reached"),
    "cancel_too_late": ErrorKind(409, 40915, "error.cancel_too_late"),
    "appointment_not_active": ErrorKind(409, 40916, "error.appointment_not_active"),
    "reschedule_same_slot": ErrorKind(409, 40917, "error.reschedule_same_slot"),
    "patient_limit_reached": ErrorKind(409, 40918, "error.patient_limit_reached"),
    "handoff_closed": ErrorKind(409, 40930, "error.handoff_closed"),
    "payload_too_large": ErrorKind(413, 41300, "error.payload_too_large"),
    "unsupported_media_type": ErrorKind(415, 41500, "error.unsupported_media_type"),
    "validation_failed": ErrorKind(422, 42200, "error.validation_failed"),
    "invalid_id_card": ErrorKind(422, errcodes.INVALID_ID_CARD, "error.invalid_id_card"),
    "invalid_phone": ErrorKind(422, 42210, "error.invalid_phone"),
    "missing_slot_filter": ErrorKind(422, 42211, "error.missing_slot_filter"),
    "invalid_date_range": ErrorKind(422, 42212, "error.invalid_date_range"),
    "phone_code_invalid": ErrorKind(422, 42213, "error.phone_code_invalid"),
    "rate_limited": ErrorKind(429, 42900, "error.rate_limited"),
    "internal": ErrorKind(500, 50000, "error.internal"),
    "platform_unavailable": ErrorKind(502, 50200, "error.platform_unavailable"),
    "unavailable": ErrorKind(503, 50300, "error.unavailable"),
    "assistant_unavailable": ErrorKind(503, 50330, "error.assistant_unavailable"),
    "transit_unavailable": ErrorKind(503, 50340, "error.transit_unavailable"),
}
# The kind used for a bare HTTP status raised by Flask, Werkzeug or an extension.
_KIND_BY_STATUS = {
    400: "bad_request",
    401: "unauthorized",
    403: "forbidden",
    404: "not_found",
    405: "method_not_allowed",
    409: "conflict",
    413: "payload_too_large",
    415: "unsupported_media_type",
    422: "validation_failed",
    429: "rate_limited",
    503: "unavailable",
}


class ApiError(Exception):
    """Raise to answer with the error ``kind`` (a key of ``ERRORS``)."""

    def __init__(
        self,
        kind: str,
        data: Any = None,
        headers: dict[str, str] | None = None,
        **message_arguments: Any,
    ) -> None:
        super().__init__(kind)
        self.kind = ERRORS[kind]
        self.data = data
        self.headers = headers or {}
        self.message_arguments = message_arguments


def error_response(
    kind: str | ErrorKind, data: Any = None, headers: dict | None = None, **message_arguments: Any
) -> Response:
    """The one function that builds every error body."""
    kind = ERRORS[kind] if isinstance(kind, str) else kind
    body = {
        "errcode": kind.errcode,
        "errmsg": translate(kind.message_id, **message_arguments),
        "data": data,
    }
    response = jsonify(body)
    response.status_code = kind.status
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def _from_http_exception(exc: HTTPException) -> Response:
    status = exc.code or 500
    kind = _KIND_BY_STATUS.get(status, "internal" if status >= 500 else "bad_request")
    data = None
    # webargs (flask-smorest) attaches the field messages of a failed validation.
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if messages:
        if status == 400 and "json" in messages and _is_json_decode_error(messages["json"]):
            kind = "invalid_json"
        data = {"errors": messages}
    headers = {k: v for k, v in (exc.get_headers() or []) if k.lower() in {"allow", "retry-after"}}
    return error_response(kind, data=data, headers=headers)


def _is_json_decode_error(messages: Any) -> bool:
    return isinstance(messages, list) and any("Invalid JSON" in str(m) for m in messages)


def register_error_handlers(app: Flask) -> None:
    @app.errorhandler(ApiError)
    def handle_api_error(exc: ApiError) -> Response:
        return error_response(exc.kind, exc.data, exc.headers, **exc.message_arguments)

    @app.errorhandler(HTTPException)
    def handle_http_exception(exc: HTTPException) -> Response:
        return _from_http_exception(exc)

    @app.errorhandler(OperationalError)
    @app.errorhandler(DBAPIError)
    def handle_database_down(exc: DBAPIError) -> Response:
        try:
            db.session.rollback()
        except DBAPIError:  # the connection is gone with the database; nothing to undo
            pass
        if isinstance(exc, OperationalError) or exc.connection_invalidated:
            logger.warning("database unavailable: %s", exc.__class__.__name__)
            return error_response("unavailable", headers={"Retry-After": "5"})
        if isinstance(exc, DataError):
            # Input the schemas let through but the column cannot hold (a NUL character in
            # PostgreSQL text, a number out of its range): the request's fault, not ours.
            logger.warning("refused by the database: %s", exc.orig.__class__.__name__)
            return error_response("validation_failed")
        logger.exception("database error")
        return error_response("internal")

    @app.errorhandler(Exception)
    def handle_unexpected(exc: Exception) -> Response:
        logger.exception("unhandled error")
        return error_response("internal")
