"""gunicorn settings of the API: ``gunicorn --config python:miniapp_api.gunicorn_conf …``.

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


def requests_in_hand(worker) -> int:
    """Connections the worker's threads are serving or that wait for a thread (not the idle
    kept-alive ones, nor those still waiting for a request's first bytes)."""
    return worker.nr_conns - len(worker.keepalived_conns) - len(worker.pending_conns)


def pre_request(worker, req) -> None:
    if not hasattr(worker, "keepalived_conns"):  # not a gthread worker: nothing kept alive
        return
    if requests_in_hand(worker) > worker.cfg.threads:
        req.must_close = True
