"""The API's gunicorn settings (``miniapp_api/gunicorn_conf.py``), in a real gunicorn: a worker
with more requests in hand than threads answers with ``Connection: close``, so kept-alive clients
move to a less busy worker; a worker that keeps up keeps its connections."""

import http.client
import subprocess
import time
from contextlib import closing

import pytest

from launcher.stack import ROOT, api_server_command, free_port


@pytest.fixture
def one_thread_worker():
    """gunicorn with the API's settings, one worker of one thread, serving a sleepy app."""
    port = free_port()
    server = subprocess.Popen(
        api_server_command(port, workers=1, threads=1, app="tests.api.sleepy_wsgi:app"),
        cwd=ROOT,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.DEVNULL,
    )
    deadline = time.monotonic() + 30
    while True:
        # Ready once a whole request is answered: a bare connection probe could still be in the
        # worker's hands (a request waiting for its thread) when the test's first one arrives.
        try:
            with closing(connection_to(port)) as probe:
                probe.request("GET", "/", headers={"Connection": "close"})
                probe.getresponse().read()
            break
        except (OSError, http.client.HTTPException):
            assert server.poll() is None and time.monotonic() < deadline, "gunicorn did not start"
            time.sleep(0.1)
    # The worker counts a connection as in hand until it has reaped it: let it finish with the
    # probe's, so the tests' first request finds it idle.
    time.sleep(0.5)
    yield port
    server.terminate()
    server.wait(10)


def connection_to(port: int) -> http.client.HTTPConnection:
    return http.client.HTTPConnection("127.0.0.1", port, timeout=10)


def connection_header(connection: http.client.HTTPConnection) -> str:
    response = connection.getresponse()
    assert response.status == 200 and response.read() == b"ok"
    return response.getheader("Connection")


def test_a_worker_that_keeps_up_keeps_its_connections(one_thread_worker):
    with closing(connection_to(one_thread_worker)) as connection:
        for _ in range(5):
            connection.request("GET", "/")
            assert connection_header(connection) == "keep-alive"


def test_a_worker_with_requests_waiting_closes_the_connections_it_answers_meanwhile(
    one_thread_worker,
):
    port = one_thread_worker
    with (
        closing(connection_to(port)) as busy,
        closing(connection_to(port)) as second,
        closing(connection_to(port)) as third,
    ):
        busy.request("GET", "/?sleep=0.8")  # holds the only thread
        time.sleep(0.2)
        second.request("GET", "/")
        third.request("GET", "/")
        # The request that found the worker idle keeps its connection; the first one answered
        # while the other waited for the thread is told to close (the other may find the worker
        # caught up).
        assert connection_header(busy) == "keep-alive"
        assert "close" in [connection_header(second), connection_header(third)]
        # A client told to close connects again on its own and is served.
        for connection in (second, third):
            connection.request("GET", "/")
            connection_header(connection)
