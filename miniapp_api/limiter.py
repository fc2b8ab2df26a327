"""Rate limits (429 with Retry-After), per client address; storage from RATELIMIT_STORAGE_URI.

The limits are on a few views (logins, chat, guest lookups), each checked by its decorator.
Flask-Limiter also runs a check before every request of the application, for limits that
apply to requests at large (application, default, blueprint and meta limits, and the
decorated limits it has learnt to check before a view that is wrapped again): this API
configures none of the first four, so for every other request that check resolved nothing,
at a tenth of an empty request's CPU (py-spy, ``bench/api_load.py``). Here it runs only when
there is something for it to find.
"""

from __future__ import annotations

from flask import request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address


class CitizenLimiter(Limiter):
    """Flask-Limiter's limiter whose before-request check runs only when some limit can apply
    there; the decorated views' own checks are untouched."""

    def _check_request_limit(
        self, callable_name: str | None = None, in_middleware: bool = True
    ) -> None:
        if in_middleware and not self._limits_before_request():
            return
        super()._check_request_limit(callable_name=callable_name, in_middleware=in_middleware)

    def _limits_before_request(self) -> bool:
        manager = self.limit_manager
        return bool(
            manager._application_limits
            or manager._default_limits
            or manager._blueprint_limits
            or self._meta_limits
            or manager.has_hints(request.endpoint or "")
        )


limiter = CitizenLimiter(key_func=get_remote_address, default_limits=[])
