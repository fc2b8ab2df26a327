"""gunicorn settings of the API: ``gunicorn --config python:miniapp_api.gunicorn_conf --bind
ADDRESS miniapp_api.wsgi:app``. The one place for gunicorn's flags: the launcher, the tests, the
benchmarks and ``deploy/docker-compose.yml`` run this configuration and add only the address (and
where the access log goes); the numbers come from the environment (``ServerSettings``).

Threaded (gthread) workers, even with one thread: gunicorn would otherwise run its sync worker,
which keeps no connection alive and serves one request at a time, and the web chat, which waits
for Rasa while Rasa's actions call the API, needs another free. Connections are kept alive
(5 s) longer than Rasa's and the action server's clients keep idle ones.

A threaded (gthread) worker keeps each kept-alive connection for as long as the client uses it.
With few long-lived clients (the action server's and the NLG's connection pools, a proxy's
upstream connections) one worker can hold most of them while another idles: its requests then
wait for its threads and share its one interpreter lock, and the tail latency doubles
(``bench/api_load.py``: a worker holding 6 of 8 connections). So a worker with more requests
in hand than threads answers with ``Connection: close``: the client's next request opens a new
connection, which the least busy worker is the first to accept. A worker that keeps up keeps
its connections. This is the keep-alive shedding proxies do under overload (Envoy's overload
manager disables keep-alive the same way).
"""

from __future__ import annotations

from dataclasses import dataclass

from citizen_common.settings import at_least, load, setting


@dataclass(frozen=True)
class ServerSettings:
    """What gunicorn's master reads when it loads this file."""

    workers: int = setting(
        "API_WORKERS",
        2,
        "gunicorn workers of the API; always gunicorn's threaded worker, even with one thread (the "
        "web chat waits for Rasa while Rasa's actions call the API, so a worker must be able to "
        "answer those calls meanwhile)",
        check=at_least(1),
        empty_is_default=True,
    )
    threads: int = setting(
        "API_THREADS",
        4,
        "threads in each API worker. A worker with more requests in hand than threads answers "
        "`Connection: close`, so kept-alive clients move to a less busy worker",
        check=at_least(1),
        empty_is_default=True,
    )
    graceful_timeout_seconds: int = setting(
        "API_GRACEFUL_TIMEOUT_SECONDS",
        5,
        "how long a stopping worker may finish the requests in hand (deploy/: 30, as long as "
        "a chat turn may wait for Rasa)",
        check=at_least(0),
        empty_is_default=True,
    )


_settings = load(ServerSettings)
worker_class = "gthread"
workers = _settings.workers
threads = _settings.threads
keepalive = 5
graceful_timeout = _settings.graceful_timeout_seconds


def requests_in_hand(worker) -> int:
    """Connections the worker's threads are serving or that wait for a thread (not the idle
    kept-alive ones, nor those still waiting for a request's first bytes)."""
    return worker.nr_conns - len(worker.keepalived_conns) - len(worker.pending_conns)


def pre_request(worker, req) -> None:
    if not hasattr(worker, "keepalived_conns"):  # not a gthread worker: nothing kept alive
        return
    if requests_in_hand(worker) > worker.cfg.threads:
        req.must_close = True
