"""Rasa's reply schemas compiled once (``action_validation``, ``nlg_validation``).

Rasa 3.6 validates each action server reply and each NLG reply with ``jsonschema.validate``,
which first checks the *schema* against the JSON Schema meta-schema and builds a new validator:
about 55 ms of CPU per action call and 7 ms per NLG reply here, the largest cost of a turn.
Here the validators are built once. Action replies are checked event by event against the
branch of Rasa's ``oneOf`` that the event's type names (the branches are told apart by their
``event`` constant, so an event is valid against the ``oneOf`` exactly when it is valid against
that branch); anything invalid is validated again by the full schema, so the error raised is
Rasa's own. ``tests/bot/test_serving.py`` checks that invalid replies are still refused with
Rasa's errors.
"""

from __future__ import annotations

from typing import Any, Callable, Dict, Text


class CachedValidator:
    """``jsonschema.validate(instance, schema)`` with the schema checked and compiled once."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        from jsonschema import validators

        cls = validators.validator_for(schema)
        cls.check_schema(schema)
        self._validator = cls(schema)

    def validate(self, instance: Any) -> None:
        """Raises the ``ValidationError`` that ``jsonschema.validate`` would raise."""
        from jsonschema.exceptions import best_match

        error = best_match(self._validator.iter_errors(instance))
        if error is not None:
            raise error

    def is_valid(self, instance: Any) -> bool:
        return self._validator.is_valid(instance)


class ActionResultValidator:
    """Rasa's action-reply schema, with each event checked against its own ``oneOf`` branch."""

    def __init__(self, schema: Dict[Text, Any]) -> None:
        from rasa.shared.utils.schemas.events import EVENT_SCHEMA

        self.full = CachedValidator(schema)
        envelope = {k: v for k, v in schema.items() if k != "properties"}
        envelope["properties"] = {
            k: (v if k != "events" else {"type": "array"}) for k, v in schema["properties"].items()
        }
        self.envelope = CachedValidator(envelope)
        common = {k: v for k, v in EVENT_SCHEMA.items() if k != "oneOf"}
        self.by_type: Dict[Text, CachedValidator] = {}
        for branch in EVENT_SCHEMA["oneOf"]:
            event_type = branch["properties"]["event"]["const"]
            self.by_type[event_type] = CachedValidator({**common, "allOf": [branch]})
        if len(self.by_type) != len(EVENT_SCHEMA["oneOf"]):  # two branches share a type
            self.by_type = {}

    def validate(self, result: Any) -> None:
        if not self._quickly_valid(result):
            self.full.validate(result)  # raises Rasa's own error (or passes, as Rasa would)

    def _quickly_valid(self, result: Any) -> bool:
        if not self.by_type or not self.envelope.is_valid(result):
            return False
        events = result.get("events") if isinstance(result, dict) else None
        for event in events or []:
            kind = event.get("event") if isinstance(event, dict) else None
            validator = self.by_type.get(kind) if isinstance(kind, str) else None
            if validator is None or not validator.is_valid(event):
                return False
        return True


def compiled_action_result_validation() -> Callable[[Any, Dict[Text, Any]], bool]:
    """``RemoteAction._validate_action_result`` (Rasa 3.6's, message and all) by the compiled
    ``ActionResultValidator``."""
    from jsonschema import ValidationError
    from rasa.core.actions.action import RemoteAction
    from rasa.shared.constants import DOCS_BASE_URL

    action_validator = ActionResultValidator(RemoteAction.action_response_format_spec())

    def _validate_action_result(self: RemoteAction, result: Dict[Text, Any]) -> bool:
        try:
            action_validator.validate(result)
        except ValidationError as e:
            e.message += (
                f". Failed to validate Action server response from API, "
                f"make sure your response from the Action endpoint is valid. "
                f"For more information about the format visit "
                f"{DOCS_BASE_URL}/custom-actions"
            )
            raise e
        return True

    return _validate_action_result
