"""Replaying calls: each call's caller turns, in order, as one conversation.

Two backends with one interface (``send(sender_id, text) -> TurnResult``):
- ``InProcessBackend``: the model loaded here (``rasa.core.agent.Agent``) with an in-memory
  tracker store, its actions and responses going over HTTP to the action server and the API's
  NLG endpoint, as in production;
- ``HttpBackend``: a running Rasa server's REST channel, the tracker read back from
  ``/conversations/{id}/tracker`` (needs ``--enable-api``).
Calls run concurrently (bounded by a semaphore), each on its own sender id; a turn that fails
is recorded with its reason and the call, and the run, go on. A custom action that failed (Rasa
logs it and goes on without its events) is recorded with its turn too.
"""

from __future__ import annotations

import asyncio
import logging
import os
import time
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any, Callable

from .transcripts import Call

FALLBACK_INTENTS = ("nlu_fallback", "out_of_scope", "handoff")
# Not contained: the bot did not understand, could not serve, or handed over to a person.
FALLBACK_ACTIONS = (
    "action_default_fallback",
    "action_fallback",
    "utter_default",
    "utter_out_of_scope",
    "utter_service_unavailable",
    "action_handoff",
    "utter_handoff_created",
)


@dataclass
class TurnResult:
    predicted_intent: str | None = None
    confidence: float | None = None
    entities: list[dict] = field(default_factory=list)
    actions: list[str] = field(default_factory=list)
    responses: list[str] = field(default_factory=list)  # response names (utter_action)
    replies: list[str] = field(default_factory=list)
    latency_ms: float | None = None
    error: str | None = None
    failed_actions: list[str] = field(default_factory=list)
    # The turn answered the question a form had just asked: the form took the text (whatever
    # NLU made of a bare "珠江新城") and closed, its question answered; or it took the text and
    # asked a narrower question, offering choices it had not offered ("天河" → which of 天河城,
    # 天河客运站).
    answered_question: bool = False


# The failed actions of the turn being handled: each call's turn is its own asyncio task, whose
# context the log record is made in.
_FAILED_ACTIONS: ContextVar[list[str] | None] = ContextVar("failed_actions", default=None)
# How Rasa's processor logs an action whose run raised (its events are lost, the bot goes on).
_ACTION_FAILED = "Encountered an exception while running action '"


class FailedActionRecorder(logging.Handler):
    """Records the action named in each "exception while running action" of Rasa's processor
    with the turn during which it was logged."""

    def emit(self, record: logging.LogRecord) -> None:
        failed = _FAILED_ACTIONS.get()
        message = record.getMessage()
        if failed is not None and message.startswith(_ACTION_FAILED):
            failed.append(message[len(_ACTION_FAILED) :].split("'", 1)[0])


def turn_outcome(events: list[dict]) -> TurnResult:
    """Reads the last user turn out of a tracker's events: intent, actions run, replies."""
    start = max((i for i, e in enumerate(events) if e.get("event") == "user"), default=None)
    if start is None:
        return TurnResult(error="no user event in the tracker")
    parse = events[start].get("parse_data") or {}
    intent = parse.get("intent") or {}
    result = TurnResult(
        intent.get("name"),
        intent.get("confidence"),
        [{"entity": e.get("entity"), "value": e.get("value")} for e in parse.get("entities") or []],
    )
    closed = False
    offered: list = []
    for event in events[start + 1 :]:
        if event.get("event") == "action" and event.get("name") != "action_listen":
            result.actions.append(event.get("name"))
        elif event.get("event") == "bot":
            result.replies.append(event.get("text") or "")
            offered = _choices(event) or offered
            name = (event.get("metadata") or {}).get("utter_action")
            if name:
                result.responses.append(name)
        elif event.get("event") == "active_loop" and not event.get("name"):
            closed = True
    asking, offered_before = None, []
    for event in events[:start]:
        if event.get("event") == "active_loop":
            asking = event.get("name")
        elif event.get("event") == "bot":
            offered_before = _choices(event)
    narrowed = bool(offered) and offered != offered_before
    result.answered_question = (
        bool(asking) and result.actions[:1] == [asking] and (closed or narrowed)
    )
    return result


def _choices(bot_event: dict) -> list:
    """The titles of the buttons a reply offers."""
    buttons = (bot_event.get("data") or {}).get("buttons") or []
    return [button.get("title") for button in buttons if isinstance(button, dict)]


def service_token() -> str:
    """The token the API's NLG endpoint asks of the bot (as bot/endpoints.yml sends it)."""
    from bot.actions.settings import settings

    return settings().service_token


def action_server_token() -> str:
    """The token the action server asks of Rasa (``ACTION_SERVER_TOKEN``)."""
    from bot.actions.settings import settings

    return settings().action_server_token


class InProcessBackend:
    def __init__(self, model: str, actions_url: str | None, api_url: str | None) -> None:
        os.environ.setdefault("TF_CPP_MIN_LOG_LEVEL", "2")
        os.environ["RASA_TELEMETRY_ENABLED"] = "false"
        quiet_rasa()
        from rasa.core.agent import Agent
        from rasa.utils.endpoints import EndpointConfig

        from bot import rasa_compat
        from bot.plugins.endpoints import KeptAliveEndpoint
        from bot.plugins.trackers import CitizenInMemoryTrackerStore
        from bot.serving.lifecycle import after_agent_loaded

        # The same speed-ups as the Rasa server (bot/serving/__main__.py), without its apology.
        rasa_compat.check_versions()
        rasa_compat.apply(["action_validation", "debug_copies"])

        # None: no action server / the domain's own responses (a stock assistant, the bench).
        self.agent = Agent.load(
            model,
            tracker_store=CitizenInMemoryTrackerStore(None),  # the server's tracker class
            action_endpoint=(
                KeptAliveEndpoint(
                    actions_url.rstrip("/") + "/webhook",
                    # The action server answers Rasa alone (as bot/endpoints.yml sends it).
                    headers={"Authorization": f"Bearer {action_server_token()}"},
                )
                if actions_url
                else None
            ),
            generator=EndpointConfig(
                api_url.rstrip("/") + "/nlg",
                type="bot.plugins.nlg.SlimCallbackNLG",
                headers={"Authorization": f"Bearer {service_token()}"},
            )
            if api_url
            else None,
        )
        after_agent_loaded(self.agent)  # what the Rasa server does with its loaded agent
        quiet_rasa()
        processor_log = logging.getLogger("rasa.core.processor")
        if not any(isinstance(h, FailedActionRecorder) for h in processor_log.handlers):
            processor_log.addHandler(FailedActionRecorder())

    async def send(self, sender: str, text: str) -> TurnResult:
        from rasa.core.channels.channel import CollectingOutputChannel, UserMessage

        failed: list[str] = []
        recording = _FAILED_ACTIONS.set(failed)
        try:
            await self.agent.handle_message(UserMessage(text, CollectingOutputChannel(), sender))
        finally:
            _FAILED_ACTIONS.reset(recording)
        tracker = await self.agent.tracker_store.retrieve(sender)
        result = turn_outcome([event.as_dict() for event in tracker.events])
        result.failed_actions = failed
        return result

    async def close(self) -> None:
        return None


class HttpBackend:
    def __init__(self, url: str, timeout: float = 60) -> None:
        import aiohttp

        from bot.channels.edge import channel_token

        self.url = url.rstrip("/")
        # A replay is a guest on every call: the REST channel's credential, no identity
        # assertion, so no replayed caller acts as a real citizen.
        self.session = aiohttp.ClientSession(
            timeout=aiohttp.ClientTimeout(total=timeout),
            headers={"Authorization": f"Bearer {channel_token()}"},
        )
        from bot.settings import settings

        self.rasa_token = settings().auth_token

    async def send(self, sender: str, text: str) -> TurnResult:
        async with self.session.post(
            f"{self.url}/webhooks/rest/webhook", json={"sender": sender, "message": text}
        ) as response:
            if response.status != 200:
                return TurnResult(error=f"REST channel answered HTTP {response.status}")
            await response.read()
        async with self.session.get(
            f"{self.url}/conversations/{sender}/tracker",
            params={"include_events": "AFTER_RESTART", "token": self.rasa_token},
        ) as response:
            if response.status != 200:
                return TurnResult(error=f"tracker endpoint answered HTTP {response.status}")
            tracker = await response.json()
        return turn_outcome(tracker.get("events") or [])

    async def close(self) -> None:
        await self.session.close()


def quiet_rasa() -> None:
    """Rasa's debug logging costs about a third of the replay's time: warnings only (errors
    only for TensorFlow, whose checkpoint warnings about optimizer slots are noise here)."""
    import sys

    logging.basicConfig(level=logging.WARNING, stream=sys.stderr, format="%(message)s")
    try:
        from rasa.utils.log_utils import configure_structlog

        configure_structlog(logging.WARNING)
    except ImportError:  # older Rasa: standard logging only
        pass
    for name in (
        "rasa",
        "rasa_sdk",
        "sanic",
        "apscheduler",
        "jieba",
        "urllib3",
        "aiohttp",
        "matplotlib",
        "bot",
    ):
        logging.getLogger(name).setLevel(logging.WARNING)
    for name in ("tensorflow", "absl", "h5py"):
        logging.getLogger(name).setLevel(logging.ERROR)


async def replay_call(backend, call: Call) -> dict[str, Any]:
    """One call, its caller turns in order; every turn recorded, failed ones with the reason."""
    started = time.perf_counter()
    turns = []
    for position, turn in enumerate(call.turns):
        if turn.role != "caller":
            continue
        began = time.perf_counter()
        try:
            result = await backend.send(call.sender_id, turn.text)
        except asyncio.CancelledError:
            raise
        except Exception as error:  # a failed turn is a finding, not the end of the run
            result = TurnResult(error=f"{error.__class__.__name__}: {error}"[:500])
        result.latency_ms = round((time.perf_counter() - began) * 1000, 2)
        turns.append(
            {
                "position": position,
                "text": turn.text,
                "truncated_from": turn.truncated_from,
                "label_intent": turn.intent,
                "service": turn.service or call.service,
                "predicted_intent": result.predicted_intent,
                "confidence": None if result.confidence is None else round(result.confidence, 4),
                "entities": result.entities,
                "actions": result.actions,
                "responses": result.responses,
                "replies": result.replies,
                "latency_ms": result.latency_ms,
                "error": result.error,
                "failed_actions": result.failed_actions,
                "answered_question": result.answered_question,
            }
        )
    return {
        "call_id": call.call_id,
        "caller": call.caller,
        "started_at": call.started_at,
        "line": call.line,
        "sender_id": call.sender_id,
        "service": call.service,
        "resolved_by_agent": call.resolved_by_agent,
        "duration_ms": round((time.perf_counter() - started) * 1000, 2),
        "turns": turns,
    }


async def replay(
    backend,
    calls: list[Call],
    concurrency: int = 4,
    on_turns: Callable[[int], None] | None = None,
    stop: asyncio.Event | None = None,
) -> tuple[list[dict], bool]:
    """Replays every call (at most ``concurrency`` at once); returns the finished calls in input
    order, and whether the run was interrupted (``stop`` set) before the end."""
    semaphore = asyncio.Semaphore(max(1, concurrency))
    finished: dict[int, dict] = {}
    stop = stop or asyncio.Event()

    async def one(index: int, call: Call) -> None:
        async with semaphore:
            if stop.is_set():
                return
            finished[index] = await replay_call(backend, call)
            if on_turns:
                on_turns(len(call.caller_turns))

    tasks = [asyncio.create_task(one(i, call)) for i, call in enumerate(calls)]
    everything = asyncio.gather(*tasks)
    stopper = asyncio.create_task(stop.wait())
    done, _ = await asyncio.wait({everything, stopper}, return_when=asyncio.FIRST_COMPLETED)
    interrupted = stopper in done and not everything.done()
    if interrupted:
        for task in tasks:
            task.cancel()
        await asyncio.gather(*tasks, return_exceptions=True)
    else:
        stopper.cancel()
        await asyncio.gather(stopper, return_exceptions=True)
        everything.result()
    return [finished[i] for i in sorted(finished)], interrupted
