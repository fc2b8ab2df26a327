"""The directory of services the assistant offers: one list, read by the API and the bot's help."""

from __future__ import annotations

from dataclasses import dataclass

from flask_smorest import Blueprint
from marshmallow import Schema, fields

from .envelope import envelope_of, ok
from .i18n import current_locale, translate

bp = Blueprint("directory", __name__, url_prefix="/api/v1", description="Service directory")


@dataclass(frozen=True)
class Service:
    """A service the assistant offers; ``example`` is a phrase a citizen can send to start it."""

    code: str

    @property
    def title_id(self) -> str:
        return f"service.{self.code}.title"

    @property
    def summary_id(self) -> str:
        return f"service.{self.code}.summary"

    @property
    def example_id(self) -> str:
        return f"service.{self.code}.example"

    def localized(self, locale: str) -> dict:
        return {
            "code": self.code,
            "title": translate(self.title_id, locale),
            "summary": translate(self.summary_id, locale),
            "example": translate(self.example_id, locale),
        }


SERVICES: tuple[Service, ...] = (
    Service("appointments"),
    Service("applications"),
    Service("transit"),
    Service("air"),
    Service("hotline"),
)


class ServiceSchema(Schema):
    code = fields.String()
    title = fields.String()
    summary = fields.String()
    example = fields.String(metadata={"description": "a phrase to send to the bot"})


def localized_services(locale: str) -> list[dict]:
    return [service.localized(locale) for service in SERVICES]


@bp.get("/directory")
@bp.response(200, envelope_of(ServiceSchema, many=True))
def list_services():
    """Every service the assistant offers, in the request's locale."""
    return ok(localized_services(current_locale()))
