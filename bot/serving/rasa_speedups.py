"""Rasa server speed-ups that keep its behaviour: installed at start by ``python -m bot.serving``.

Measured with ``bench/chat_load.py`` and py-spy on this 2-core machine (figures in the README's
"Performance" section). Rasa 3.6, on every message:

* validates each action server reply and each NLG reply with ``jsonschema.validate``, which
  first checks the *schema* against the JSON Schema meta-schema and builds a new validator:
  about 55 ms of CPU per action call and 7 ms per NLG reply here, the largest cost of a turn.
  Here the validators are built once. Action replies are checked event by event against the
  branch of Rasa's ``oneOf`` that the event's type names (the branches are told apart by their
  ``event`` constant, so an event is valid against the ``oneOf`` exactly when it is valid
  against that branch); anything invalid is validated again by the full schema, so the error
  raised is Rasa's own.
* opens a new aiohttp session, so a new TCP connection, for every call to the action server and
  the NLG endpoint. Here each endpoint keeps one session (per event loop) with keep-alive,
  closed when the server stops, which writes and reads JSON with ujson (as Sanic does): the
  tracker sent with every action call, tens of kilobytes late in a conversation, took 1 ms of
  ``json.dumps`` at 80 kB. The idle keep-alive is shorter than the servers' (gunicorn and
  Sanic, 5 s in the launcher), so a connection is never reused just as the server closes it.
* serializes the whole tracker to JSON once more for a debug line of every NLG request, even
  when debug logging is off. Here the debug lines are built only when they are logged.
* runs its model graph (NLU for each message, the policies for each prediction) through dask's
  scheduler, whose bookkeeping costs as much as a component. Here the nodes run in order
  (``graph_runner``).
* leaves the half million objects of the loaded model (scikit-learn, the CRF, the domain, the
  imported libraries) to Python's garbage collector, which walks them all in every full
  collection: 215 ms with the event loop stopped, every conversation waiting. Here they are
  frozen (``gc.freeze``) once the model is loaded; collections walk what came after.
* asks the SQL tracker store, before replaying a remembered conversation, whether anybody
  wrote to it since (``bot/plugins/tracker_store.py``). With the in-memory lock store, which
  Rasa allows for one process only, nobody else can have: the store is told so once the agent
  is loaded, and reads a remembered conversation with no statement.
* computes each message's count-vector features with four calls to scikit-learn, each
  building its analyzer again and a CSR matrix that Rasa sorts and converts. Here the COO
  matrices are made directly, equal to Rasa's (``count_vectors``).

* has the rule policy filter its rules against every state of the conversation, parsing each
  rule's JSON key again at every step, though no rule reaches further back than its own
  length. Here the filtering ends at the longest rule and each rule is parsed once
  (``rule_lookup``).

* asks crfsuite for every tag's probability at every token through a property looked up again
  for each, and strips every tag's BILOU prefix again for each token. Here the tagger is looked
  up once a message and each prefix stripped once: the same calls and sums
  (``entity_marginals``).

* deep-copies what its debug lines show (events, dialogue states, entities, slots) as the
  arguments of the debug call, so for every message even with debug lines off. Here the copies
  are made only while those lines are written (``debug_copies``).

The tracker's copies, applied events and dialogue states are the project's tracker class's
(``bot/plugins/trackers.py``); the tracker store's lean reads, event classes and SQLite
write-ahead log are the project's store's own (``bot/plugins/sql_store.py``); the quick lock
polling is the project's lock stores' (``bot/serving/locks.py``).

Nothing here changes what is validated, sent or answered; ``tests/bot/test_serving.py`` checks
that invalid replies are still refused with Rasa's errors.
"""

from __future__ import annotations

import asyncio
import json
import logging
import ssl
from typing import Any, Dict, Optional, Text, Tuple

import ujson  # Rasa's own dependency (and Sanic's JSON)

from . import (
    count_vectors,
    debug_copies,
    entity_marginals,
    graph_runner,
    rule_lookup,
)

logger = logging.getLogger(__name__)

# Idle seconds before a kept-alive connection is closed by us: below the servers' keep-alive
# (gunicorn --keep-alive 5 and Sanic's default 5 s), so the server never closes it first.
CLIENT_KEEPALIVE_SECONDS = 2.0
# Connections per endpoint and event loop (Rasa awaits one call per conversation at a time).
CONNECTIONS_PER_ENDPOINT = 64

_installed = False


def install() -> None:
    """Install every speed-up (once)."""
    global _installed
    if _installed:
        return
    install_cached_validation()
    install_persistent_endpoint_sessions()
    install_lazy_nlg_debug_logging()
    graph_runner.install()
    count_vectors.install()
    rule_lookup.install()
    entity_marginals.install()
    debug_copies.install()
    install_after_agent_loaded()
    _installed = True


# --- once the agent is loaded: its heap frozen, its tracker store told who else writes ------
def install_after_agent_loaded() -> None:
    from rasa.core import run

    from .lifecycle import after_agent_loaded

    original = run.load_agent_on_start
    if getattr(original, "citizen_hooks", False):
        return

    async def load_agent_on_start(*args: Any, **kwargs: Any) -> Any:
        agent = await original(*args, **kwargs)
        after_agent_loaded(agent)
        return agent

    load_agent_on_start.citizen_hooks = True
    run.load_agent_on_start = load_agent_on_start


# --- response validation -----------------------------------------------------------------
class CachedValidator:
    """``jsonschema.validate(instance, schema)`` with the schema checked and compiled once."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        from jsonschema import validators

        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        self._validator = cls(schema)

    def validate(self, instance: Any) -> None:
        """Raises the ``ValidationError`` that ``jsonschema.validate`` would raise."""
        from jsonschema.exceptions import best_match

        error = best_match(self._validator.iter_errors(instance))
        if error is not None:
            raise error

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)


class ActionResultValidator:
    """Rasa's action-reply schema, with each event checked against its own ``oneOf`` branch."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        from rasa.shared.utils.schemas.events import EVENT_SCHEMA

        self.full = CachedValidator(schema)
        envelope = {k: v for k, v in schema.items() if k != "properties"}
        envelope["properties"] = {
            k: (v if k != "events" else {"type": "array"}) for k, v in schema["properties"].items()
        }
        self.envelope = CachedValidator(envelope)
        common = {k: v for k, v in EVENT_SCHEMA.items() if k != "oneOf"}
        self.by_type: Dict[Text, CachedValidator] = {}
        for branch in EVENT_SCHEMA["oneOf"]:
            event_type = branch["properties"]["event"]["const"]
            self.by_type[event_type] = CachedValidator({**common, "allOf": [branch]})
        if len(self.by_type) != len(EVENT_SCHEMA["oneOf"]):  # two branches share a type
            self.by_type = {}

    def validate(self, result: Any) -> None:
        if not self._quickly_valid(result):
            self.full.validate(result)  # raises Rasa's own error (or passes, as Rasa would)

    def _quickly_valid(self, result: Any) -> bool:
        if not self.by_type or not self.envelope.is_valid(result):
            return False
        events = result.get("events") if isinstance(result, dict) else None
        for event in events or []:
            kind = event.get("event") if isinstance(event, dict) else None
            validator = self.by_type.get(kind) if isinstance(kind, str) else None
            if validator is None or not validator.is_valid(event):
                return False
        return True


def install_cached_validation() -> None:
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator, nlg_response_format_spec
    from rasa.shared.constants import DOCS_BASE_URL

    nlg_validator = CachedValidator(nlg_response_format_spec())
    action_validator = ActionResultValidator(RemoteAction.action_response_format_spec())
    original_nlg_validate = CallbackNaturalLanguageGenerator.validate_response

    def validate_response(content: Optional[Dict[Text, Any]]) -> bool:
        if content is None or content == "":
            return True
        if nlg_validator.is_valid(content):
            return True
        return original_nlg_validate(content)  # raises Rasa's RasaException

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        try:
            action_validator.validate(result)
        except ValidationError as e:
            e.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e
        return True

    CallbackNaturalLanguageGenerator.validate_response = staticmethod(validate_response)
    RemoteAction._validate_action_result = _validate_action_result


# --- connection reuse --------------------------------------------------------------------
_sessions: Dict[Tuple, Tuple[asyncio.AbstractEventLoop, Any]] = {}


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
        json_serialize=json_dumps,
    )
    _sessions[key] = (loop, session)
    return session


async def close_shared_sessions() -> None:
    loop = asyncio.get_running_loop()
    for key, (owner, session) in list(_sessions.items()):
        if owner is loop:
            await session.close()
            del _sessions[key]


def install_persistent_endpoint_sessions() -> None:
    from aiohttp import ContentTypeError
    from rasa.core import run
    from rasa.shared.exceptions import FileNotFoundException
    from rasa.utils import endpoints
    from rasa.utils.endpoints import ClientResponseError, EndpointConfig, concat_url

    async def request(
        self: EndpointConfig,
        method: Text = "post",
        subpath: Optional[Text] = None,
        content_type: Optional[Text] = "application/json",
        compress: bool = False,
        **kwargs: Any,
    ) -> Optional[Any]:
        # Rasa 3.6's EndpointConfig.request, on a shared session instead of a new one.
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

    original_close = run.close_resources

    async def close_resources(app: Any, loop: asyncio.AbstractEventLoop) -> None:
        await original_close(app, loop)
        from .lifecycle import before_server_stop

        await before_server_stop()

    endpoints.EndpointConfig.request = request
    run.close_resources = close_resources


# --- NLG debug lines built only when logged ---------------------------------------------
def install_lazy_nlg_debug_logging() -> None:
    from rasa.core.constants import DEFAULT_REQUEST_TIMEOUT
    from rasa.core.nlg import callback
    from rasa.shared.exceptions import RasaException

    nlg_logger = callback.logger

    async def generate(
        self: callback.CallbackNaturalLanguageGenerator,
        utter_action: Text,
        tracker: Any,
        output_channel: Text,
        **kwargs: Any,
    ) -> Dict[Text, Any]:
        # Rasa 3.6's CallbackNaturalLanguageGenerator.generate, its debug lines built lazily.
        domain_responses = kwargs.pop("domain_responses", None)
        kwargs["response_id"] = self.fetch_response_id(
            utter_action, tracker, output_channel, domain_responses
        )
        body = callback.nlg_request_format(utter_action, tracker, output_channel, **kwargs)
        debug = nlg_logger.isEnabledFor(logging.DEBUG)
        if debug:
            nlg_logger.debug(
                f"Requesting NLG for {utter_action} from {self.nlg_endpoint.url}."
                f"The request body is {json.dumps(body)}."
            )
        response = await self.nlg_endpoint.request(
            method="post", json=body, timeout=DEFAULT_REQUEST_TIMEOUT
        )
        if debug:
            nlg_logger.debug(f"Received NLG response: {json.dumps(response)}")
        if isinstance(response, dict) and self.validate_response(response):
            return response
        raise RasaException("NLG web endpoint returned an invalid response.")

    callback.CallbackNaturalLanguageGenerator.generate = generate
