"""Citizen Assistant API: the system of record for citizens and the city's services.

``create_app(config)`` builds the Flask application; extensions live at module level and are
bound here so tests can build as many apps as they need.
"""

from __future__ import annotations

import logging

from flask import Flask, g
from flask_smorest import Api

from .auth import NoCookieSessions
from .config import Config
from .db import db, install_session_teardown, migrate
from .envelope import ErrorEnvelopeSchema
from .errors import register_error_handlers
from .i18n import negotiate_request_locale
from .limiter import limiter
from .privacy import install_log_masking
from .routing import install_record_ids
from .security import install_proxy_trust, install_request_size_limit, install_security_headers

__version__ = "0.1.0"


class CitizenApi(Api):
    """flask-smorest's Api, documenting our error envelope."""

    ERROR_SCHEMA = ErrorEnvelopeSchema


def create_app(config: Config | None = None) -> Flask:
    config = config or Config()
    config.check()
    app = Flask(__name__)
    app.config.from_object(config)
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    app.session_interface = NoCookieSessions()
    install_log_masking()
    logging.basicConfig(
        level=logging.INFO, format="%(asctime)s %(levelname)s %(name)s: %(message)s"
    )

    from . import models  # noqa: F401  (every table, for the metadata and Alembic)

    db.init_app(app)
    install_session_teardown(app)
    migrate.init_app(app, db, directory=str(MIGRATIONS_DIR))
    limiter.init_app(app)
    api = CitizenApi(app)
    install_record_ids(app, api)  # before the blueprints: their <int:...> ids are bounded
    register_error_handlers(app)
    install_security_headers(app)
    install_request_size_limit(app)
    install_proxy_trust(app)

    @app.before_request
    def choose_locale() -> None:
        g.locale = negotiate_request_locale()

    # Blueprints are imported here so that importing the package stays cheap.
    from . import health, nlg
    from .air.views import bp as air_bp
    from .applications.open311 import bp as open311_bp
    from .applications.views import bp as applications_bp
    from .appointments.fhir import bp as fhir_bp
    from .appointments.views import bp as appointments_bp
    from .chat.views import bp as chat_bp
    from .citizens import bp as citizens_bp
    from .directory import bp as directory_bp
    from .handoff.views import bp as handoff_bp
    from .transit.views import bp as transit_bp
    from .trust.views import bp as trust_bp

    api.register_blueprint(health.bp)
    api.register_blueprint(citizens_bp)
    api.register_blueprint(directory_bp)
    api.register_blueprint(air_bp)
    api.register_blueprint(applications_bp)
    api.register_blueprint(open311_bp)
    api.register_blueprint(appointments_bp)
    api.register_blueprint(fhir_bp)
    api.register_blueprint(chat_bp)
    api.register_blueprint(handoff_bp)
    api.register_blueprint(trust_bp)
    api.register_blueprint(transit_bp)
    app.register_blueprint(nlg.bp)
    if app.config.get("BENCH_NOOP_ENDPOINT"):  # bench/api_load.py's baseline only
        from .noop import bp as noop_bp

        api.register_blueprint(noop_bp)
    from .webchat import bp as webchat_bp

    app.register_blueprint(webchat_bp)

    from .cli import register_commands

    register_commands(app)
    return app


from .config import PROJECT_ROOT  # noqa: E402

MIGRATIONS_DIR = PROJECT_ROOT / "miniapp_api" / "migrations"
