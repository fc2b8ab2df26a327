"""The action server: rasa-sdk 3.6.2's app and ``run``, built here so that its executor is the
project's choice (``action_threads``) rather than the ``ActionExecutor`` that rasa-sdk's
``create_app`` names in its own module.

With ``action_threads`` off the app is rasa-sdk's own ``create_app``; on, ``create_app`` below is
rasa-sdk's, line for line, with a ``ThreadedActionExecutor`` (``bot/serving/action_threads.py``).
The guard (``bot/serving/action_guard.py``) is a rasa-sdk plugin, attached as rasa-sdk's ``run``
attaches plugins. With ``frozen_heap`` the imported libraries and actions are frozen out of the
garbage collector's full collections before the server starts.
"""

from __future__ import annotations

import gc
import json
import logging
import os
import zlib
from typing import Any, List, Optional, Text, Union

from bot.speedups import enabled

logger = logging.getLogger(__name__)


def create_app(
    action_package_name: Any,
    cors_origins: Union[Text, List[Text], None] = "*",
    auto_reload: bool = False,
) -> Any:
    """rasa-sdk's ``create_app``, its executor the ``ThreadedActionExecutor`` when
    ``action_threads`` is on."""
    from rasa_sdk import endpoint

    if not enabled("action_threads"):
        return endpoint.create_app(action_package_name, cors_origins, auto_reload)
    from rasa_sdk import utils
    from rasa_sdk.interfaces import ActionExecutionRejection, ActionNotFoundException
    from sanic import Sanic, response

    from .action_threads import threaded_executor_class

    app = Sanic("rasa_sdk", configure_logging=False)
    endpoint.configure_cors(app, cors_origins)
    executor = threaded_executor_class()()
    executor.register_package(action_package_name)

    @app.get("/health")
    async def health(_: Any) -> Any:
        return response.json({"status": "ok"}, status=200)

    @app.post("/webhook")
    async def webhook(request: Any) -> Any:
        if request.headers.get("Content-Encoding") == "deflate":
            action_call = json.loads(zlib.decompress(request.body))
        else:
            action_call = request.json
        if action_call is None:
            return response.json({"error": "Invalid body request"}, status=400)
        utils.check_version_compatibility(action_call.get("version"))
        if auto_reload:
            executor.reload()
        try:
            result = await executor.run(action_call)
        except ActionExecutionRejection as e:
            endpoint.logger.debug(e)
            body = {"error": e.message, "action_name": e.action_name}
            return response.json(body, status=400)
        except ActionNotFoundException as e:
            endpoint.logger.error(e)
            body = {"error": e.message, "action_name": e.action_name}
            return response.json(body, status=404)
        return response.json(result, status=200)

    @app.get("/actions")
    async def actions(_: Any) -> Any:
        if auto_reload:
            executor.reload()
        return response.json([{"name": k} for k in executor.actions.keys()], status=200)

    @app.exception(Exception)
    async def exception_handler(request: Any, exception: Exception) -> Any:
        endpoint.logger.error(
            msg=f"Exception occurred during execution of request {request}",
            exc_info=exception,
        )
        body = {"error": str(exception), "request_body": request.json}
        return response.json(body, status=500)

    return app


def run(args: Any) -> None:
    """rasa-sdk's ``main_from_args`` and ``run``, on the app of ``create_app``."""
    from rasa_sdk import utils
    from rasa_sdk.constants import APPLICATION_ROOT_LOGGER_NAME
    from rasa_sdk.endpoint import create_ssl_context
    from rasa_sdk.plugin import plugin_manager

    logging.getLogger("matplotlib").setLevel(logging.WARN)
    utils.configure_colored_logging(args.loglevel)
    utils.configure_file_logging(
        logging.getLogger(APPLICATION_ROOT_LOGGER_NAME),
        args.log_file,
        args.loglevel,
        args.logging_config_file,
    )
    utils.update_sanic_log_level()
    logger.info("Starting action endpoint server...")
    app = create_app(args.actions, cors_origins=args.cors, auto_reload=args.auto_reload)
    plugin_manager().hook.attach_sanic_app_extensions(app=app)
    if enabled("frozen_heap"):
        gc.collect()
        gc.freeze()  # the libraries and actions out of the garbage collector's full collections
    ssl_context = create_ssl_context(args.ssl_certificate, args.ssl_keyfile, args.ssl_password)
    protocol = "https" if ssl_context else "http"
    host = os.environ.get("SANIC_HOST", "0.0.0.0")
    logger.info(f"Action endpoint is up and running on {protocol}://{host}:{args.port}")
    app.run(host, args.port, ssl=ssl_context, workers=utils.number_of_sanic_workers())


def main(arguments: Optional[List[str]] = None) -> None:
    """``python -m rasa_sdk`` with these arguments, on the project's app."""
    from rasa_sdk.endpoint import create_argument_parser

    from . import action_guard

    action_guard.register()  # not a speed-up: Rasa's token and bounded bodies, always
    run(create_argument_parser().parse_args(arguments))
