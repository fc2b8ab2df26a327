"""Run in the bot environment: checks bot/serving against Rasa's own behaviour; prints JSON.

``python tests/bot/serving_probe.py [REDIS_URL]`` — every check records what it saw; the
pytest side (tests/bot/test_serving.py) asserts on it.
"""

import asyncio
import json
import sys
import threading
import time

from jsonschema import ValidationError
from rasa.core.actions.action import RemoteAction
from rasa.core.nlg.callback import CallbackNaturalLanguageGenerator
from rasa.shared.core.events import Event
from rasa.shared.exceptions import RasaException
from rasa.shared.utils.common import all_subclasses

GOOD_RESULT = {
    "events": [
        {"event": "slot", "timestamp": None, "name": "x", "value": 1},
        {"event": "active_loop", "name": "booking_form"},
        {"event": "followup", "name": "action_listen"},
        {"event": "bot", "text": "hi", "data": {}, "metadata": {}},
    ],
    "responses": [{"response": "utter_greet", "name": "Ann"}],
}
BAD_RESULTS = [
    {"events": [{"event": "slot", "name": 3, "value": 1}], "responses": []},
    {"events": [{"event": "no_such_event"}], "responses": []},
    {"events": [{"timestamp": 1}], "responses": []},
    {"events": {"event": "slot"}, "responses": []},
    {"events": [], "responses": ["utter_greet"]},
]
GOOD_NLG = [None, "", {"text": "hi", "buttons": [{"title": "a", "payload": "/b"}]}]
BAD_NLG = [{"text": 3}, {"buttons": "x"}]


def action_errors() -> list:
    out = []
    action = RemoteAction("action_x", None)
    for result in [GOOD_RESULT, *BAD_RESULTS]:
        try:
            out.append(action._validate_action_result(json.loads(json.dumps(result))))
        except ValidationError as error:
            out.append(["ValidationError", error.message])
    return out


def nlg_errors(validate) -> list:
    out = []
    for content in [*GOOD_NLG, *BAD_NLG]:
        try:
            out.append(validate(content))
        except RasaException as error:
            out.append(["RasaException", str(error)])
    return out


def event_classes(resolve=None) -> dict:
    """Each event type name's class, by Rasa's ``Event.resolve_by_type`` or ``resolve``."""
    resolve = resolve or Event.resolve_by_type
    names = sorted({cls.type_name for cls in all_subclasses(Event)} | {"topic", "nope"})
    out = {}
    for name in names:
        try:
            found = resolve(name)
            out[name] = found.__name__ if found else None
        except ValueError as error:
            out[name] = f"ValueError: {error}"
    return out


def threaded_actions() -> dict:
    from rasa_sdk import Action

    from bot.serving.action_threads import threaded_executor_class

    class Slow(Action):
        def __init__(self, name):
            self._name = name

        def name(self):
            return self._name

        def run(self, dispatcher, tracker, domain):
            time.sleep(0.4)  # a blocking API call
            dispatcher.utter_message(response="utter_done", who=self._name)
            return [{"event": "slot", "name": "who", "value": self._name, "timestamp": None}]

    executor = threaded_executor_class()()
    for name in ("action_one", "action_two", "action_three"):
        executor.register_action(Slow(name))

    def call(name):
        return {
            "next_action": name,
            "tracker": {
                "sender_id": "x",
                "slots": {},
                "latest_message": {},
                "events": [],
                "paused": False,
                "latest_event_time": None,
                "active_loop": {},
            },
            "domain": {},
        }

    async def run_all():
        started = time.perf_counter()
        results = await asyncio.gather(
            *(executor.run(call(n)) for n in ("action_one", "action_two", "action_three"))
        )
        return time.perf_counter() - started, results

    seconds, results = asyncio.run(run_all())
    return {"seconds": seconds, "results": results}


def connection_reuse() -> dict:
    from aiohttp import web
    from rasa.utils.endpoints import EndpointConfig

    from bot.plugins.endpoints import KeptAliveEndpoint, close_shared_sessions

    peers, rasa_answers = [], []

    async def handler(request):
        peers.append(request.transport.get_extra_info("peername")[1])
        return web.json_response({"text": "ok"})

    async def main():
        app = web.Application()
        app.router.add_post("/nlg", handler)
        runner = web.AppRunner(app)
        await runner.setup()
        site = web.TCPSite(runner, "127.0.0.1", 0)
        await site.start()
        port = site._server.sockets[0].getsockname()[1]
        endpoint = KeptAliveEndpoint.adopt(
            EndpointConfig(url=f"http://127.0.0.1:{port}/nlg", token="t")
        )
        answers = [await endpoint.request(json={"n": i}) for i in range(3)]
        await close_shared_sessions()
        rasa_endpoint = EndpointConfig(url=f"http://127.0.0.1:{port}/nlg", token="t")
        rasa_answers.append(await rasa_endpoint.request(json={"n": 0}))
        await runner.cleanup()
        return answers

    answers = asyncio.run(main())
    return {"answers": answers, "rasa_answers": rasa_answers, "client_ports": peers[:3]}


def lifecycle_listeners() -> dict:
    """The REST channel's blueprint carries the lifecycle: once the agent is loaded (called
    once however often the listener fires), and before the server stops."""
    from types import SimpleNamespace

    from bot.channels.rest import InternalRestInput
    from bot.serving import lifecycle

    blueprint = InternalRestInput().blueprint(lambda message: None)
    listeners = {entry.event: entry.listener for entry in blueprint._future_listeners}
    seen = []
    lifecycle.after_agent_loaded = seen.append  # what the listener calls, recorded
    app = SimpleNamespace(ctx=SimpleNamespace(agent="the agent"))
    asyncio.run(listeners["after_server_start"](app, None))
    asyncio.run(listeners["after_server_start"](app, None))
    asyncio.run(listeners["before_server_stop"](app, None))
    return {"events": sorted(listeners), "agents": seen}


def lock_queue(redis_url: str) -> dict:
    """Twelve 'processes' (threads with their own Redis client) send one message each to one
    conversation at once: each takes a ticket, waits its turn polling (and dropping expired
    tickets) as Rasa does, holds the lock briefly, and finishes."""
    from urllib.parse import urlsplit

    import redis

    from bot.serving.locks import AtomicRedisLockStore

    parts = urlsplit(redis_url)
    settings = {
        "host": parts.hostname,
        "port": parts.port or 6379,
        "db": int(parts.path.lstrip("/") or 0),
        "key_prefix": "probe",
    }
    conversation = f"probe-{time.time_ns()}"
    served, errors = [], []
    lock = threading.Lock()
    inside = [0]

    together = threading.Barrier(12)

    def message(index: int) -> None:
        store = AtomicRedisLockStore(**settings)
        together.wait()

        async def handle():
            # LockStore.lock's steps, with the ticket number kept.
            ticket = store.issue_ticket(conversation)
            try:
                await store._acquire_lock(conversation, ticket, 0.005)
                with lock:
                    inside[0] += 1
                    overlap = inside[0] > 1
                time.sleep(0.02)
                with lock:
                    inside[0] -= 1
                    served.append((ticket, overlap))
            finally:
                store.cleanup(conversation, ticket)

        try:
            asyncio.run(handle())
        except Exception as error:  # recorded and asserted on
            errors.append(f"{error.__class__.__name__}: {error}")

    threads = []
    for index in range(12):
        threads.append(threading.Thread(target=message, args=(index,)))
        threads[-1].start()
    for thread in threads:
        thread.join(30)
    left = redis.Redis(host=parts.hostname, port=parts.port or 6379, db=settings["db"]).get(
        f"probe:lock:{conversation}"
    )
    return {"served": served, "errors": errors, "left": left is not None}


def main() -> None:
    import rasa.core.run
    import rasa.core.test
    from rasa.utils.endpoints import EndpointConfig

    from bot import rasa_compat
    from bot.plugins.nlg import SlimCallbackNLG
    from bot.plugins.sql_store import event_class_finder

    rasa_nlg = CallbackNaturalLanguageGenerator.validate_response
    report = {
        "before": {
            "action": action_errors(),
            "nlg": nlg_errors(rasa_nlg),
            "events": event_classes(),
        }
    }
    rasa_compat.apply(["action_validation"])
    slim_nlg = SlimCallbackNLG(EndpointConfig("http://127.0.0.1:9/nlg")).validate_response
    report["after"] = {
        "action": action_errors(),
        "nlg": nlg_errors(slim_nlg),
        "events": event_classes(event_class_finder()),  # the tracker store's lookup
    }
    report["threads"] = threaded_actions()
    report["reuse"] = connection_reuse()
    report["lifecycle"] = lifecycle_listeners()
    if len(sys.argv) > 1:
        report["locks"] = lock_queue(sys.argv[1])
    print(json.dumps(report, default=str))


if __name__ == "__main__":
    main()
