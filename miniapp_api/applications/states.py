"""The state machine of a government application, from submission to delivery.

Codes follow the administrative licensing procedure: intake (accept, reject or ask for missing
materials), review (which may be suspended or ask for more materials), a concluding decision,
and delivery of the decision to the citizen.

Open311 GeoReport v2 status: an application is ``open`` until a decision closes it. It is
``closed`` once rejected at intake, or approved or denied on review (the matter is decided), and
stays closed when delivered; delivery hands over a decision already taken.
"""

from __future__ import annotations

from collections.abc import Mapping

SUBMITTED = "submitted"
ACCEPTED = "accepted"
REJECTED = "rejected"
SUPPLEMENT_REQUESTED = "supplement_requested"
UNDER_REVIEW = "under_review"
SUSPENDED = "suspended"
APPROVED = "approved"
DENIED = "denied"
DELIVERED = "delivered"

# In lifecycle order; next_steps() lists targets in this order.
STATES: tuple[str, ...] = (
    SUBMITTED,
    ACCEPTED,
    REJECTED,
    SUPPLEMENT_REQUESTED,
    UNDER_REVIEW,
    SUSPENDED,
    APPROVED,
    DENIED,
    DELIVERED,
)

TRANSITIONS: dict[str, frozenset[str]] = {
    SUBMITTED: frozenset({ACCEPTED, REJECTED, SUPPLEMENT_REQUESTED}),
    # The citizen supplies the materials; intake then decides.
    SUPPLEMENT_REQUESTED: frozenset({ACCEPTED, REJECTED}),
    ACCEPTED: frozenset({UNDER_REVIEW}),
    UNDER_REVIEW: frozenset({SUSPENDED, APPROVED, DENIED, SUPPLEMENT_REQUESTED}),
    SUSPENDED: frozenset({UNDER_REVIEW}),
    APPROVED: frozenset({DELIVERED}),
    DENIED: frozenset({DELIVERED}),
    REJECTED: frozenset(),
    DELIVERED: frozenset(),
}

TERMINAL: frozenset[str] = frozenset(s for s, targets in TRANSITIONS.items() if not targets)
CONCLUDED: frozenset[str] = frozenset({APPROVED, DENIED})
CLOSED: frozenset[str] = frozenset({REJECTED, DELIVERED}) | CONCLUDED

MATERIALS = "materials"
REASON = "reason"
# The detail each target state requires: a non-empty list of strings for materials, a
# non-empty string for a reason.
REQUIRED_DETAILS: dict[str, str] = {
    SUPPLEMENT_REQUESTED: MATERIALS,
    SUSPENDED: REASON,
    REJECTED: REASON,
    DENIED: REASON,
}


class TransitionError(ValueError):
    """A state change that the rules do not allow."""


class IllegalTransition(TransitionError):
    """No legal move from ``current`` to ``target`` (unknown state codes included)."""

    def __init__(self, current: str, target: str) -> None:
        super().__init__(f"illegal transition {current!r} -> {target!r}")
        self.current = current
        self.target = target


class MissingDetails(TransitionError):
    """Moving to ``target`` needs ``field`` in the details, and it is absent or empty."""

    def __init__(self, target: str, field: str) -> None:
        super().__init__(f"transition to {target!r} needs {field!r}")
        self.target = target
        self.field = field


def _has_detail(field: str, value: object) -> bool:
    if field == MATERIALS:
        return (
            isinstance(value, (list, tuple))
            and len(value) > 0
            and all(isinstance(item, str) and item.strip() for item in value)
        )
    return isinstance(value, str) and bool(value.strip())


def check_transition(
    current: str, target: str, details: Mapping[str, object] | None = None
) -> None:
    """Raise ``IllegalTransition`` or ``MissingDetails`` unless ``current -> target`` is allowed.

    Legality is checked first, then the details the target requires (``REQUIRED_DETAILS``).
    """
    if target not in TRANSITIONS.get(current, frozenset()):
        raise IllegalTransition(current, target)
    field = REQUIRED_DETAILS.get(target)
    if field is not None and not _has_detail(field, (details or {}).get(field)):
        raise MissingDetails(target, field)


def is_open(state: str) -> bool:
    """Open311 status: False once decided (rejected, approved, denied, delivered)."""
    if state not in TRANSITIONS:
        raise ValueError(f"unknown application state {state!r}")
    return state not in CLOSED


def next_steps(state: str) -> tuple[str, ...]:
    """The states an application in ``state`` may move to, in lifecycle order."""
    targets = TRANSITIONS.get(state)
    if targets is None:
        raise ValueError(f"unknown application state {state!r}")
    return tuple(s for s in STATES if s in targets)
