"""``KeptAliveEndpoint``: Rasa's ``EndpointConfig`` keeping one connection pool per event loop,
and the action server's bounded wait.

Rasa 3.6 opens a new aiohttp session, so a new TCP connection, for every call to the action
server and the NLG endpoint (``kept_alive_endpoints``). Here each endpoint keeps one session
(per event loop) with keep-alive, closed before the server stops, which writes and reads JSON
with ujson (as Sanic does): the tracker sent with every action call, tens of kilobytes late in a
conversation, took 1 ms of ``json.dumps`` at 80 kB (and its events are written from the JSON
kept for each, ``event_json``). The idle keep-alive is shorter than the
servers' (gunicorn and Sanic, 5 s in the launcher), so a connection is never reused just as the
server closes it. Switched off, ``request`` is Rasa's own.

Rasa waits five minutes for the action server (``DEFAULT_REQUEST_TIMEOUT``, a module constant
with no setting); the action endpoint is given ``RASA_ACTION_TIMEOUT_SECONDS`` instead
(``bot/serving/resilience.py``), always: that is not a speed-up.

Rasa reads ``endpoints.yml`` into plain ``EndpointConfig``s; ``bot.serving.lifecycle`` adopts
the action endpoint once the agent is loaded and ``SlimCallbackNLG`` its NLG endpoint.
"""

from __future__ import annotations

import asyncio
import json
import ssl
from typing import Any, Dict, Optional, Text, Tuple

import ujson  # Rasa's own dependency (and Sanic's JSON)
from rasa.utils.endpoints import EndpointConfig

from bot.serving import event_json
from bot.speedups import enabled

# Idle seconds before a kept-alive connection is closed by us: below the servers' keep-alive
# (gunicorn --keep-alive 5 and Sanic's default 5 s), so the server never closes it first.
CLIENT_KEEPALIVE_SECONDS = 2.0
# Connections per endpoint and event loop (Rasa awaits one call per conversation at a time).
CONNECTIONS_PER_ENDPOINT = 64

_sessions: Dict[Tuple, Tuple[asyncio.AbstractEventLoop, Any]] = {}


class KeptAliveEndpoint(EndpointConfig):
    """An ``EndpointConfig`` whose requests share one kept-alive session per event loop (when
    ``kept_alive_endpoints`` is on) and, given ``timeout_seconds``, wait that long at most."""

    def __init__(self, *args: Any, timeout_seconds: Optional[float] = None, **kwargs: Any):
        super().__init__(*args, **kwargs)
        self.timeout_seconds = timeout_seconds

    @classmethod
    def adopt(
        cls, config: Optional[EndpointConfig], timeout_seconds: Optional[float] = None
    ) -> Optional["KeptAliveEndpoint"]:
        """The same endpoint as ``config`` (as Rasa read it from ``endpoints.yml``)."""
        if config is None or isinstance(config, cls):
            return config
        return cls(
            config.url,
            config.params,
            config.headers,
            config.basic_auth,
            config.token,
            config.token_name,
            config.cafile,
            timeout_seconds=timeout_seconds,
            type=config.type,
            **config.kwargs,
        )

    async def request(
        self,
        method: Text = "post",
        subpath: Optional[Text] = None,
        content_type: Optional[Text] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Optional[Any]:
        if self.timeout_seconds is not None:
            kwargs["timeout"] = self.timeout_seconds
        if not enabled("kept_alive_endpoints"):
            return await super().request(method, subpath, content_type, compress, **kwargs)
        return await self._request_kept_alive(method, subpath, content_type, compress, **kwargs)

    async def _request_kept_alive(
        self,
        method: Text,
        subpath: Optional[Text],
        content_type: Optional[Text],
        compress: bool,
        **kwargs: Any,
    ) -> Optional[Any]:
        # Rasa 3.6's EndpointConfig.request, on a shared session instead of a new one.
        from aiohttp import ContentTypeError
        from rasa.shared.exceptions import FileNotFoundException
        from rasa.utils.endpoints import ClientResponseError, concat_url

        headers = {}
        if content_type:
            headers["Content-Type"] = content_type
        if "headers" in kwargs:
            headers.update(kwargs.pop("headers"))
        if self.headers:
            headers.update(self.headers)
        url = concat_url(self.url, subpath)
        sslcontext = None
        if self.cafile:
            try:
                sslcontext = ssl.create_default_context(cafile=self.cafile)
            except FileNotFoundError as e:
                raise FileNotFoundException(
                    f"Failed to find certificate file, '{self.cafile}' does not exist."
                ) from e
        session = shared_session(self)
        async with session.request(
            method,
            url,
            headers=headers,
            params=self.combine_parameters(kwargs),
            compress=compress,
            ssl=sslcontext,
            **kwargs,
        ) as response:
            if response.status >= 400:
                raise ClientResponseError(
                    response.status, response.reason, await response.content.read()
                )
            try:
                return await response.json(loads=json_loads)
            except ContentTypeError:
                return None


def _session_key(config: Any, loop: asyncio.AbstractEventLoop) -> Tuple:
    auth = tuple(sorted((config.basic_auth or {}).items()))
    return (id(loop), tuple(sorted((config.headers or {}).items())), auth)


def json_dumps(value: Any) -> str:
    """JSON as ``json.dumps`` writes it, by ujson (a third of the time for a tracker); what
    ujson refuses (NaN, say) is written by ``json.dumps``."""
    try:
        return ujson.dumps(value)
    except (OverflowError, TypeError, ValueError):
        return json.dumps(value)


def request_json(value: Any) -> str:
    """A request's JSON: ``json_dumps``, a tracker's events written from the JSON kept for
    each (``event_json``, bot/serving/event_json.py)."""
    return event_json.dumps(value, json_dumps)


def json_loads(text: str) -> Any:
    """``json.loads`` by ujson; what ujson refuses is read (or refused) by ``json.loads``."""
    try:
        return ujson.loads(text)
    except (OverflowError, TypeError, ValueError):
        return json.loads(text)


def shared_session(config: Any) -> Any:
    """One kept-alive aiohttp session per endpoint settings and event loop."""
    import aiohttp
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT

    loop = asyncio.get_running_loop()
    key = _session_key(config, loop)
    found = _sessions.get(key)
    if found and found[0] is loop and not found[1].closed:
        return found[1]
    auth = None
    if config.basic_auth:
        auth = aiohttp.BasicAuth(config.basic_auth["username"], config.basic_auth["password"])
    connector = aiohttp.TCPConnector(
        limit=CONNECTIONS_PER_ENDPOINT, keepalive_timeout=CLIENT_KEEPALIVE_SECONDS
    )
    session = aiohttp.ClientSession(
        headers=config.headers,
        auth=auth,
        connector=connector,
        timeout=aiohttp.ClientTimeout(total=DEFAULT_REQUEST_TIMEOUT),
        json_serialize=request_json,
    )
    _sessions[key] = (loop, session)
    return session


async def close_shared_sessions() -> None:
    """Closes the sessions of the running event loop (before the server stops)."""
    loop = asyncio.get_running_loop()
    for key, (owner, session) in list(_sessions.items()):
        if owner is loop:
            await session.close()
            del _sessions[key]
