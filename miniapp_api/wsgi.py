"""The WSGI entry point for gunicorn: ``gunicorn miniapp_api.wsgi:app``.

Each worker imports it. Once the application is built, what exists (the libraries, the
application, its catalogs) is frozen out of the garbage collector's full collections, which
would otherwise walk all of it, 40 ms with the worker's requests waiting (``gc.freeze``).
"""

import gc

from . import create_app

app = create_app()
gc.collect()  # what building left behind, collected once, not frozen
gc.freeze()
