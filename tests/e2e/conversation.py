"""Saying something to the running Rasa server as the API's /chat does, for the conversation
tests (a support module: test modules import their helpers from here, not from each other)."""

from __future__ import annotations

from tests.edge import rest_say


def say(stack, sender: str, message: str, proven: bool = True, **metadata) -> list[dict]:
    """A message through the REST channel as the API's /chat sends it (with the conversation's
    identity assertion unless ``proven=False``)."""
    response = rest_say(stack.rasa_url, sender, message, proven=proven, **metadata)
    assert response.status_code == 200, response.text
    return response.json()


def texts(replies: list[dict]) -> list[str]:
    return [reply.get("text") for reply in replies]
