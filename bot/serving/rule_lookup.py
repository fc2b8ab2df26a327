"""Rasa's rule policy finding the rules that match a conversation, without the turns no rule
reaches.

For every prediction Rasa 3.6's ``RulePolicy`` filters its rules against the conversation's
dialogue states, newest first: for each state of the whole conversation it asks every rule
still standing whether it applies at that distance, and each asking parses the rule's key (its
states as JSON) again. A rule of n states applies at any distance of n or more, so once the
distance reaches the longest rule, every rule still standing stays: the filtering ends there
(and when none is left), with the same rules found. Each rule's states are parsed once.
``tests/bot/test_rule_lookup.py`` compares the rule policy's findings with Rasa's own before
every action of every story and rule of the assistant.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Dict, List, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.shared.core.constants import PREVIOUS_ACTION

_longest: Dict[int, Tuple[Dict[Text, Text], int, int]] = {}  # id(lookup) -> (it, size, longest)


@lru_cache(maxsize=None)  # the keys of the trained rules: a fixed set
def reversed_rule_states(rule_key: Text) -> List[Dict[Text, Any]]:
    """A rule's states, newest first (read-only: shared between calls)."""
    return list(reversed(json.loads(rule_key)))


def longest_rule(lookup: Dict[Text, Text]) -> int:
    """How many states the longest rule of ``lookup`` has."""
    known = _longest.get(id(lookup))
    if known is None or known[0] is not lookup or known[1] != len(lookup):
        known = (
            lookup,
            len(lookup),
            max((len(reversed_rule_states(key)) for key in lookup), default=0),
        )
        _longest[id(lookup)] = known
    return known[2]


def is_rule_applicable(
    self: RulePolicy, rule_key: Text, turn_index: int, conversation_state: Dict[Text, Any]
) -> bool:
    """Rasa's ``RulePolicy._is_rule_applicable``, with the rule's states parsed once."""
    reversed_states = reversed_rule_states(rule_key)
    if turn_index >= len(reversed_states):
        return True
    current_previous_action = conversation_state.get(PREVIOUS_ACTION)
    rule_previous_action = reversed_states[turn_index].get(PREVIOUS_ACTION)
    if not rule_previous_action and not current_previous_action:
        return True
    if not rule_previous_action or not current_previous_action:
        return False
    return self._does_rule_match_state(reversed_states[turn_index], conversation_state)


def get_possible_keys(
    self: RulePolicy, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]
) -> Set[Text]:
    """Rasa's ``RulePolicy._get_possible_keys``, ending where no rule reaches further."""
    possible_keys = set(lookup.keys())
    reach = longest_rule(lookup)
    for index, state in enumerate(reversed(states)):
        if index >= reach or not possible_keys:
            break
        possible_keys = {
            key for key in possible_keys if self._is_rule_applicable(key, index, state)
        }
    return possible_keys


def install() -> None:
    if getattr(RulePolicy._get_possible_keys, "stops_early", False):
        return
    get_possible_keys.stops_early = True
    RulePolicy._get_possible_keys = get_possible_keys
    RulePolicy._is_rule_applicable = is_rule_applicable
