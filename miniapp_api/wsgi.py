"""The WSGI entry point for gunicorn: ``gunicorn miniapp_api.wsgi:app``."""
from . import create_app

app = create_app()
