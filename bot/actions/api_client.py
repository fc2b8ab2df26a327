"""The one client through which actions reach the API.

It authenticates with the bot's service token, names the conversation by its sender id and
forwards the identity assertion the conversation's latest message carried (``citizen_common.identity``):
the API acts for a citizen only on that proof; without it the conversation is a guest's and
anything personal raises ``SignInRequired``. Connection errors (nothing reached the API, so nothing happened) are retried; timeouts and
answers are not, so a write is never sent twice. Unreachable or failing API → ``ApiUnavailable``.
"""

from __future__ import annotations

import logging
import time
from typing import Any
from urllib.parse import quote

import requests
from citizen_common import errcodes, identity
from urllib3.exceptions import NewConnectionError

from .settings import Settings, settings

logger = logging.getLogger(__name__)
IDENTITY_HEADER = "X-Citizen-Identity"
RETRY_BACKOFF_SECONDS = 0.2
# Kept as they are in the identity header (``web:abc``, ``hotline:138...``); "%" is encoded.
IDENTITY_SAFE_CHARACTERS = ":@!$&'()*+,;=-._~"

_session = requests.Session()
# The API is the action server's neighbour on the internal network, reached at API_URL itself:
# no proxy or netrc from the environment, which requests would otherwise look up on every call.
_session.trust_env = False


class ApiUnavailable(Exception):
    """The API could not be reached or failed; the citizen gets an apology."""


class ApiRefused(Exception):
    """The API answered with an error envelope (4xx): a rule, a missing record, bad input."""

    def __init__(self, status: int, errcode: int, errmsg: str, data: Any = None) -> None:
        super().__init__(f"{status} {errcode} {errmsg}")
        self.status, self.errcode, self.errmsg, self.data = status, errcode, errmsg, data


class SignInRequired(Exception):
    """The conversation is a guest's (no identity assertion) and asked for something personal:
    the citizen is asked to sign in. Not an ``ApiRefused``, so no action mistakes it for a
    rule or a missing record."""


class CitizenApi:
    """The API, for the conversation ``sender_id`` (``web:abc``, ``wechat:openid``): acting for
    its citizen when ``assertion`` proves it, as a guest otherwise."""

    def __init__(
        self, sender_id: str, assertion: str | None = None, config: Settings | None = None
    ) -> None:
        self.sender_id = sender_id
        self.assertion = assertion
        self.config = config or settings()

    @classmethod
    def for_tracker(cls, tracker: Any) -> "CitizenApi":
        """The client for a conversation, with the proof its latest message carried, else the
        proof a hotline caller gave earlier in the call (slot ``identity_assertion``)."""
        metadata = (tracker.latest_message or {}).get("metadata")
        assertion = identity.of_metadata(metadata) or tracker.get_slot("identity_assertion")
        return cls(tracker.sender_id, assertion if isinstance(assertion, str) else None)

    # --- citizens -------------------------------------------------------------------------
    def me(self) -> dict:
        return self._request("GET", "/api/v1/me")

    def set_locale(self, locale: str) -> dict:
        return self._request("PATCH", "/api/v1/me", json={"locale": locale})

    # --- hotline step-up ------------------------------------------------------------------
    def start_hotline_verification(self, id_last4: str) -> dict:
        return self._request("POST", "/api/v1/hotline/verification", json={"id_last4": id_last4})

    def confirm_hotline_verification(self, code: str) -> dict:
        return self._request("POST", "/api/v1/hotline/verification/confirm", json={"code": code})

    # --- air quality ----------------------------------------------------------------------
    def air_now(self, query: dict) -> dict:
        """The current hourly report for a district, station, location or the city."""
        return self._request("GET", "/api/v1/air/now", params=query)

    # --- applications -------------------------------------------------------------------
    def my_applications(self) -> list:
        return self._request("GET", "/api/v1/applications")

    def my_application(self, number: str) -> dict:
        return self._request("GET", f"/api/v1/applications/{quote(number, safe='')}")

    def catalog_item(self, code: str) -> dict:
        return self._request("GET", f"/api/v1/catalog/{quote(code, safe='')}")

    def catalog_search(self, q: str) -> list:
        """Service items whose names or keywords match ``q`` (typos tolerated), best first."""
        return self._request("GET", "/api/v1/catalog", params={"q": q})

    def guest_lookup(self, number: str, id_last4: str) -> dict:
        return self._request(
            "POST", "/api/v1/applications/lookup", json={"number": number, "id_last4": id_last4}
        )

    # --- hospitals and appointments ----------------------------------------------------
    def hospitals(self, **query: Any) -> list:
        return self._items("/api/v1/hospitals", query)

    def departments(self, **query: Any) -> list:
        return self._items("/api/v1/departments", query)

    def doctors(self, **query: Any) -> list:
        return self._items("/api/v1/doctors", query)

    def slots(self, **query: Any) -> list:
        return self._items("/api/v1/slots", query)

    def patients(self) -> list:
        return self._items("/api/v1/patients", {})

    def add_patient(self, name: str, id_card: str, phone: str) -> dict:
        return self._request(
            "POST", "/api/v1/patients", json={"name": name, "id_card": id_card, "phone": phone}
        )

    def book(self, slot_id: int, patient_id: int) -> dict:
        return self._request(
            "POST", "/api/v1/appointments", json={"slot_id": slot_id, "patient_id": patient_id}
        )

    def my_appointments(self, status: str = "active") -> list:
        return self._items("/api/v1/appointments", {"status": status})

    def cancel_appointment(self, appointment_id: int) -> dict:
        return self._request("POST", f"/api/v1/appointments/{int(appointment_id)}/cancel")

    def reschedule(self, appointment_id: int, slot_id: int) -> dict:
        return self._request(
            "POST",
            f"/api/v1/appointments/{int(appointment_id)}/reschedule",
            json={"slot_id": slot_id},
        )

    # --- buses -----------------------------------------------------------------------------
    def stops(self, **query: Any) -> list:
        return self._request("GET", "/api/v1/transit/stops", params=query)

    def nearby_stops(self, **query: Any) -> list:
        return self._request("GET", "/api/v1/transit/stops/nearby", params=query)

    def arrivals(self, stop_id: str, **query: Any) -> dict:
        params = {k: v for k, v in query.items() if v is not None}
        return self._request(
            "GET", f"/api/v1/transit/stops/{quote(str(stop_id), safe='')}/arrivals", params=params
        )

    def routes(self, **query: Any) -> list:
        return self._request("GET", "/api/v1/transit/routes", params=query)

    def routes_to_place(self, place: str) -> dict:
        return self._request("GET", "/api/v1/transit/places/routes", params={"q": place})

    def _items(self, path: str, query: dict) -> list:
        params = {k: v for k, v in query.items() if v is not None}
        return self._request("GET", path, params=params)["items"]

    # --- transport -------------------------------------------------------------------------
    def _request(self, method: str, path: str, **kwargs: Any) -> Any:
        headers = {
            "Authorization": f"Bearer {self.config.service_token}",
            IDENTITY_HEADER: identity_header_value(self.sender_id),
        }
        if self.assertion:
            headers[identity.HEADER] = self.assertion
        url = self.config.api_url + path
        for attempt in range(1, self.config.connect_attempts + 1):
            try:
                response = _session.request(
                    method, url, headers=headers, timeout=self.config.timeout_seconds, **kwargs
                )
                break
            except requests.ConnectionError as error:
                if not _never_sent(error):
                    raise ApiUnavailable(f"{method} {path}: connection lost") from error
                if attempt == self.config.connect_attempts:
                    raise ApiUnavailable(f"{method} {path}: cannot connect") from error
                time.sleep(RETRY_BACKOFF_SECONDS * attempt)
            except requests.Timeout as error:
                raise ApiUnavailable(f"{method} {path}: timed out") from error
        return self._envelope_data(response, method, path)

    @staticmethod
    def _envelope_data(response: requests.Response, method: str, path: str) -> Any:
        try:
            body = response.json()
        except ValueError:
            body = None
        if response.status_code >= 500 or not isinstance(body, dict):
            raise ApiUnavailable(f"{method} {path}: HTTP {response.status_code}")
        if body.get("errcode") == errcodes.SIGN_IN_REQUIRED:
            raise SignInRequired(f"{method} {path}")
        if response.status_code >= 400 or body.get("errcode"):
            raise ApiRefused(
                response.status_code,
                body.get("errcode", -1),
                body.get("errmsg", ""),
                body.get("data"),
            )
        return body.get("data")


def identity_header_value(sender_id: str) -> str:
    """A sender id as a header carries it: percent-encoded (a header holds Latin-1 alone, a
    sender id any character, an emoji or a line break included); the API decodes it."""
    return quote(sender_id, safe=IDENTITY_SAFE_CHARACTERS)


def _never_sent(error: requests.ConnectionError) -> bool:
    """True when the connection was refused or never made, so the request did not leave."""
    if isinstance(error, requests.exceptions.ConnectTimeout):
        return True
    reason = getattr(error.args[0], "reason", None) if error.args else None
    return isinstance(reason, NewConnectionError)
