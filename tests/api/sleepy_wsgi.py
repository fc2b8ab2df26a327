"""A WSGI application that answers after ``?sleep=<seconds>``: it holds a gunicorn thread for
as long as a test needs (``tests/api/test_api_workers.py``)."""

import time
from urllib.parse import parse_qs


def app(environ, start_response):
    time.sleep(float(parse_qs(environ.get("QUERY_STRING", "")).get("sleep", ["0"])[0]))
    start_response("200 OK", [("Content-Type", "text/plain"), ("Content-Length", "2")])
    return [b"ok"]
