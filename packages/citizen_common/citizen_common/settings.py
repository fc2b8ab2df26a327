"""Typed settings from the environment, shared by every process (the API, the action server, the
Rasa server, the launcher).

Each process declares one frozen dataclass whose fields are made by :func:`setting`: a type (the
annotation), a default, the environment variable and a one-line description. :func:`load` reads
and checks them all at once, when the process starts, so that a bad value stops it there with
the variable's name instead of failing later in a request; :func:`markdown_table` documents
the same fields (``python -m scripts.configuration_doc`` writes ``docs/configuration.md``), so
the documentation cannot drift from the code. Plain dataclasses: no dependency to install in
both virtual environments.

The values several processes must agree on are written once, here.
"""

from __future__ import annotations

import dataclasses
import os
import typing
from typing import Any, Callable, Mapping, Optional, TypeVar
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError

# The credentials between the processes: the API accepts the action server's (and Rasa's NLG)
# calls with BOT_SERVICE_TOKEN, the action server accepts Rasa's with ACTION_SERVER_TOKEN. These
# development defaults let a local stack start without secrets; production refuses them.
DEV_BOT_SERVICE_TOKEN = "development-bot-service-token-not-for-production"
DEV_ACTION_SERVER_TOKEN = "development-action-server-token-not-for-production"
# The city's time zone: local dates (bookings, "today"), times shown to citizens.
DEFAULT_CITY_TIME_ZONE = "Asia/Shanghai"
CITY_TIME_ZONE_VARIABLE = "CITIZEN_TIMEZONE"
CITY_TIME_ZONE_DESCRIPTION = (
    "the city's time zone: local dates (bookable days, today's "
    "applications and air readings) and the times shown"
)

T = TypeVar("T")
_META = "citizen_setting"
_TRUE = frozenset({"1", "true", "yes", "on"})
_FALSE = frozenset({"0", "false", "no", "off"})


class SettingsError(ValueError):
    """A variable holds a value its setting cannot use; the message names the variable."""


@dataclasses.dataclass(frozen=True)
class Spec:
    """How one field is read: its variable, its documentation, an optional check."""

    variable: str
    description: str
    # Shown in the documentation instead of the default (a path on this machine, a secret).
    shown_default: Optional[str] = None
    # Raises ValueError (its message explains) or returns the value, possibly normalised.
    check: Optional[Callable[[Any], Any]] = None
    # True: an empty variable means the default (``os.environ.get(name) or default``); False:
    # the empty text is the value (``os.environ.get(name, default)``), refused by a number.
    empty_is_default: bool = False


def setting(
    variable: str,
    default: Any,
    description: str,
    *,
    shown_default: Optional[str] = None,
    check: Optional[Callable[[Any], Any]] = None,
    empty_is_default: bool = False,
) -> Any:
    """A dataclass field read from ``variable`` (``default`` when it is unset)."""
    spec = Spec(variable, description, shown_default, check, empty_is_default)
    return dataclasses.field(default=default, metadata={_META: spec})


def city_time_zone() -> Any:
    """The time zone field, the same in every process that needs the city's local time."""
    return setting(
        CITY_TIME_ZONE_VARIABLE, DEFAULT_CITY_TIME_ZONE, CITY_TIME_ZONE_DESCRIPTION, check=time_zone
    )


def time_zone(name: str) -> str:
    """A check: an IANA time zone name this machine knows."""
    try:
        ZoneInfo(name)
    except (ZoneInfoNotFoundError, ValueError):
        raise ValueError("not a known IANA time zone (e.g. Asia/Shanghai)") from None
    return name


def positive(value: T) -> T:
    """A check: a number above zero."""
    if not value > 0:
        raise ValueError("must be positive")
    return value


def at_least(minimum: Any) -> Callable[[Any], Any]:
    """A check: a number not below ``minimum``."""

    def check(value: Any) -> Any:
        if value < minimum:
            raise ValueError(f"must be at least {minimum}")
        return value

    return check


def specs(cls: type) -> list[tuple[dataclasses.Field, Spec, Any]]:
    """The settings fields of ``cls``, each with its spec and its resolved type."""
    hints = typing.get_type_hints(cls)
    return [
        (f, f.metadata[_META], hints[f.name])
        for f in dataclasses.fields(cls)
        if _META in f.metadata
    ]


def _parse(text: str, kind: Any) -> Any:
    origin = typing.get_origin(kind)
    if origin is typing.Union:  # Optional[X]
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    if kind is bool:
        lowered = text.strip().lower()
        if lowered in _TRUE:
            return True
        if lowered in _FALSE:
            return False
        raise ValueError("must be true or false (1/0, yes/no)")
    if kind is int:
        try:
            return int(text)
        except ValueError:
            raise ValueError("must be a whole number") from None
    if kind is float:
        try:
            return float(text)
        except ValueError:
            raise ValueError("must be a number") from None
    if kind is str:
        return text
    raise TypeError(f"no parser for settings of type {kind!r}")


def load(cls: type[T], environ: Optional[Mapping[str, str]] = None, **overrides: Any) -> T:
    """An instance of the settings dataclass ``cls`` from ``environ`` (default: this process's
    environment), every value parsed and checked; ``overrides`` replace fields outright.

    Raises :class:`SettingsError` naming the variable and what is wrong with its value.
    """
    environ = os.environ if environ is None else environ
    values: dict[str, Any] = {}
    for field, spec, kind in specs(cls):
        if field.name in overrides:
            continue
        raw = environ.get(spec.variable)
        if raw is None or (raw == "" and spec.empty_is_default):
            value = field.default
        else:
            try:
                value = _parse(raw, kind)
            except ValueError as error:
                raise SettingsError(f"{spec.variable}={raw!r}: {error}") from None
        if spec.check is not None and value is not None:
            try:
                value = spec.check(value)
            except ValueError as error:
                raise SettingsError(
                    f"{spec.variable}={raw if raw is not None else value!r}: {error}"
                ) from None
        values[field.name] = value
    return cls(**values, **overrides)


def _type_name(kind: Any) -> str:
    if typing.get_origin(kind) is typing.Union:
        kind = next(arg for arg in typing.get_args(kind) if arg is not type(None))
    return {bool: "boolean", int: "integer", float: "number", str: "text"}.get(kind, str(kind))


def _shown(spec: Spec, field: dataclasses.Field) -> str:
    if spec.shown_default is not None:
        return spec.shown_default
    default = field.default
    if default is None or default == "":
        return "empty"
    if isinstance(default, bool):
        return "`true`" if default else "`false`"
    return f"`{default}`"


def markdown_table(cls: type) -> str:
    """The fields of ``cls`` as a Markdown table: variable, type, default, description."""
    rows = ["| variable | type | default | description |", "|---|---|---|---|"]
    for field, spec, kind in specs(cls):
        description = spec.description.replace("|", "\\|")
        rows.append(
            f"| `{spec.variable}` | {_type_name(kind)} | {_shown(spec, field)} | {description} |"
        )
    return "\n".join(rows) + "\n"
