"""The tests' trusted edge: what the API, the WeChat channel or the hotline gateway send on a
conversation's behalf, built with the development credentials the stack runs with.

``proven=False`` builds what a guest's conversation (or a liar) sends: the same names, no proof.
"""

from __future__ import annotations

from typing import Any

import requests
from citizen_common import identity
from citizen_common.identity import DEV_ASSERTION_KEY, DEV_CHANNEL_TOKEN, DEV_RASA_TOKEN

from miniapp_api.config import Config

REST_HEADERS = {"Authorization": f"Bearer {DEV_CHANNEL_TOKEN}"}
RASA_TOKEN = {"token": DEV_RASA_TOKEN}


def assertion(
    sender: str,
    edge: str = "session",
    key: str = DEV_ASSERTION_KEY,
    ttl_seconds: int = identity.DEFAULT_TTL_SECONDS,
) -> str:
    return identity.issue(sender, edge, key, ttl_seconds=ttl_seconds)


def bot_headers(
    sender: str, proven: bool = True, service_token: str | None = None, key: str = DEV_ASSERTION_KEY
) -> dict[str, str]:
    """The action server's headers for the conversation ``sender``."""
    headers = {
        "Authorization": f"Bearer {service_token or Config().BOT_SERVICE_TOKEN}",
        "X-Citizen-Identity": sender,
    }
    if proven:
        headers[identity.HEADER] = assertion(sender, key=key)
    return headers


def proven_metadata(
    sender: str, metadata: dict[str, Any] | None = None, proven: bool = True
) -> dict[str, Any]:
    """A message's metadata as the API's /chat sends it: the assertion added when proven."""
    metadata = dict(metadata or {})
    if proven:
        metadata[identity.METADATA_KEY] = assertion(sender)
    return metadata


def rest_say(
    rasa_url: str,
    sender: str,
    message: str,
    proven: bool = True,
    timeout: float = 60,
    session: Any = requests,
    **metadata: Any,
) -> requests.Response:
    """One message through Rasa's REST channel as the API's /chat sends it."""
    body = {
        "sender": sender,
        "message": message,
        "metadata": proven_metadata(sender, metadata, proven),
    }
    return session.post(
        f"{rasa_url}/webhooks/rest/webhook", json=body, headers=REST_HEADERS, timeout=timeout
    )
