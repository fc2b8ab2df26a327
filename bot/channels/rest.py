"""Rasa's REST channel, for the API alone: the conversation is the caller's choice there, so
only a caller holding ``RASA_CHANNEL_TOKEN`` (the API's /chat, which sends the sender id of the
session it verified) may use it. Same name (``rest``), URL and body as Rasa's. Its blueprint also
carries the server's lifecycle listeners (``bot/serving/lifecycle.py``): this channel is always
configured."""

from __future__ import annotations

from typing import Any, Awaitable, Callable, Optional

from rasa.core.channels.channel import UserMessage
from rasa.core.channels.rest import RestInput
from sanic import Blueprint, response
from sanic.request import Request
from sanic.response import HTTPResponse

from bot.serving import lifecycle

from .edge import bearer_matches, channel_token


class InternalRestInput(RestInput):
    def blueprint(self, on_new_message: Callable[[UserMessage], Awaitable[Any]]) -> Blueprint:
        blueprint = super().blueprint(on_new_message)

        @blueprint.on_request
        async def require_channel_token(request: Request) -> Optional[HTTPResponse]:
            if request.method == "POST" and not bearer_matches(
                request.headers.get("Authorization"), channel_token()
            ):
                return response.json(
                    {"error": "unauthorized", "message": "the REST channel needs its token"},
                    status=401,
                    headers={"WWW-Authenticate": "Bearer"},
                )
            return None

        lifecycle.listen(blueprint)
        return blueprint
