"""The application endpoints: catalog, submit, mine, guest lookup, operator transitions."""

from __future__ import annotations

from flask import current_app
from flask_limiter.util import get_remote_address
from flask_smorest import Blueprint

from ..auth import authenticate, bot_identity, current_citizen, operator_required
from ..envelope import envelope_of, ok
from ..i18n import current_locale
from ..limiter import limiter
from ..trust.budgets import spend
from .presenter import present_application, present_item
from .schemas import (
    ApplicationSchema,
    CatalogQuerySchema,
    GuestLookupSchema,
    ServiceItemSchema,
    SubmitSchema,
    TransitionSchema,
)
from .service import (
    advance,
    citizens_application,
    citizens_applications,
    get_item,
    guest_lookup,
    search_service_items,
    submit,
)

bp = Blueprint(
    "applications",
    __name__,
    url_prefix="/api/v1",
    description="Government applications and the service catalog",
)


def _guest_rate_limit() -> str:
    return current_app.config["GUEST_LOOKUP_RATE_LIMIT"]


def _guest_key() -> str:
    """A guest's lookups count by address; the bot's by conversation, since every conversation's
    lookups come from the action server's one address (one budget would serve the whole city)."""
    identity = bot_identity()
    return f"conversation:{identity}" if identity else get_remote_address()


@bp.get("/catalog")
@bp.arguments(CatalogQuerySchema, location="query")
@bp.response(200, envelope_of(ServiceItemSchema, many=True))
def catalog(query: dict):
    """The service catalog; ``q`` searches names and keywords (typos tolerated)."""
    locale = current_locale()
    return ok([present_item(item, locale) for item in search_service_items(query.get("q"))])


@bp.get("/catalog/<code>")
@bp.response(200, envelope_of(ServiceItemSchema))
def catalog_item(code: str):
    """One service item: department, time limit, materials, fee, how to apply."""
    return ok(present_item(get_item(code), current_locale()))


@bp.post("/applications")
@bp.arguments(SubmitSchema)
@bp.response(201, envelope_of(ApplicationSchema))
def submit_application(body: dict):
    """Submit an application for the calling citizen (mini-app)."""
    citizen = current_citizen()
    channel = authenticate().platform or "web"
    application = submit(
        citizen.id,
        body["item_code"],
        body["applicant_name"],
        body["id_card"],
        channel if channel in {"wechat", "alipay", "web", "hotline"} else "web",
    )
    return ok(present_application(application, current_locale()))


@bp.get("/applications")
@bp.response(200, envelope_of(ApplicationSchema, many=True))
def my_applications():
    """The calling citizen's applications, newest first."""
    locale = current_locale()
    return ok([present_application(a, locale) for a in citizens_applications(current_citizen().id)])


@bp.get("/applications/<number>")
@bp.response(200, envelope_of(ApplicationSchema))
def my_application(number: str):
    """One of the calling citizen's applications with its timeline (another's is a 404)."""
    return ok(
        present_application(citizens_application(current_citizen().id, number), current_locale())
    )


@bp.post("/applications/lookup")
@limiter.limit(_guest_rate_limit, key_func=_guest_key)
@bp.arguments(GuestLookupSchema)
@bp.response(200, envelope_of(ApplicationSchema))
def lookup(body: dict):
    """Guests: the number plus the last four ID characters. Any mismatch is the same 404.

    Each application number has one budget of tries a day whoever asks (the bot's
    conversations and the mini-app's callers together, across every worker), and each client
    (its address, or the bot's conversation) one of its own: four characters have about 11,000
    values, and a new sender id or worker buys no new tries."""
    config = current_app.config
    spend(f"guest-lookup:client:{_guest_key()}", config["GUEST_LOOKUP_CLIENT_BUDGET"])
    spend(
        f"guest-lookup:number:{body['number'].strip().upper()}",
        config["GUEST_LOOKUP_NUMBER_BUDGET"],
    )
    application = guest_lookup(body["number"], body["id_last4"])
    return ok(present_application(application, current_locale()))


@bp.post("/operator/applications/<number>/transitions")
@operator_required
@bp.arguments(TransitionSchema)
@bp.response(200, envelope_of(ApplicationSchema))
def transition(body: dict, number: str):
    """Operators: move an application along a legal transition (409 otherwise)."""
    target = body.pop("state")
    return ok(present_application(advance(number, target, body), current_locale()))
