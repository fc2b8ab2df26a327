"""The API's client of the Rasa server: the REST channel, a conversation's tracker, its events.

One ``requests.Session`` per process keeps connections to Rasa open between requests. Rasa's
HTTP API needs ``?token=`` (``RASA_TOKEN``, Rasa's ``--auth-token``, in every profile); its REST
channel a bearer token of its own (``RASA_CHANNEL_TOKEN``).
"""

from __future__ import annotations

import logging
from typing import Any
from urllib.parse import quote

import requests
from flask import current_app

logger = logging.getLogger(__name__)
_session = requests.Session()


class RasaUnavailable(Exception):
    """Rasa could not be reached, timed out or failed: the caller answers 503."""


class RasaClient:
    def __init__(
        self,
        base_url: str,
        timeout: float,
        token: str | None = None,
        channel_token: str | None = None,
    ) -> None:
        self.base_url = base_url.rstrip("/")
        self.timeout = timeout
        self.token = token or None
        self.channel_token = channel_token or None

    @classmethod
    def from_config(cls) -> "RasaClient":
        config = current_app.config
        return cls(
            config["RASA_URL"],
            config["RASA_TIMEOUT_SECONDS"],
            config.get("RASA_TOKEN"),
            config.get("RASA_CHANNEL_TOKEN"),
        )

    def send(self, sender_id: str, message: str, metadata: dict[str, Any]) -> list[dict]:
        """The bot's replies to ``message`` from ``sender_id`` (REST channel)."""
        body = {"sender": sender_id, "message": message, "metadata": metadata}
        headers = {"Authorization": f"Bearer {self.channel_token}"} if self.channel_token else {}
        replies = self._request(
            "POST", "/webhooks/rest/webhook", json=body, with_token=False, headers=headers
        )
        if not isinstance(replies, list):
            raise RasaUnavailable("REST channel: not a list of replies")
        return [r for r in replies if isinstance(r, dict)]

    def events(self, sender_id: str) -> list[dict]:
        """The conversation's events since its last restart (``[]`` for a new conversation)."""
        tracker = self._request(
            "GET",
            f"/conversations/{_path(sender_id)}/tracker",
            params={"include_events": "AFTER_RESTART"},
        )
        return tracker.get("events") or [] if isinstance(tracker, dict) else []

    def resume(self, sender_id: str) -> None:
        """Let the bot answer again in a conversation paused by a handoff.

        ``resume`` clears the pause; the ``action_listen`` after it makes the citizen's next
        message a new turn, as if the bot had been listening all along.
        """
        self._request(
            "POST",
            f"/conversations/{_path(sender_id)}/tracker/events",
            params={"include_events": "NONE"},
            json=[{"event": "resume"}, {"event": "action", "name": "action_listen"}],
        )

    def _request(self, method: str, path: str, with_token: bool = True, **kwargs: Any) -> Any:
        params = dict(kwargs.pop("params", None) or {})
        if with_token and self.token:
            params["token"] = self.token
        try:
            response = _session.request(
                method, self.base_url + path, params=params, timeout=self.timeout, **kwargs
            )
        except requests.RequestException as error:
            logger.warning("Rasa unreachable: %s %s (%s)", method, path, error.__class__.__name__)
            raise RasaUnavailable(f"{method} {path}") from error
        if response.status_code != 200:
            logger.warning("Rasa answered %s to %s %s", response.status_code, method, path)
            raise RasaUnavailable(f"{method} {path}: HTTP {response.status_code}")
        try:
            return response.json()
        except ValueError:
            raise RasaUnavailable(f"{method} {path}: not JSON") from None


def _path(sender_id: str) -> str:
    return quote(sender_id, safe=":@=+")
