"""Rasa's rule policy finding the rules that match a conversation, without the turns no rule
reaches (``CitizenRulePolicy``, named in bot/config.yml).

For every prediction Rasa 3.6's ``RulePolicy`` filters its rules against the conversation's
dialogue states, newest first: for each state of the whole conversation it asks every rule
still standing whether it applies at that distance, and each asking parses the rule's key (its
states as JSON) again. A rule of n states applies at any distance of n or more, so once the
distance reaches the longest rule, every rule still standing stays: the filtering ends there
(and when none is left), with the same rules found. Each rule's states are parsed once.
``tests/bot/test_rule_lookup.py`` compares the rule policy's findings (``rule_lookup`` on and
off) before every action of every story and rule of the assistant.
"""

from __future__ import annotations

import json
from functools import lru_cache
from typing import Any, Dict, List, Set, Text, Tuple

from rasa.core.policies.rule_policy import RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import PREVIOUS_ACTION

from bot.speedups import enabled

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


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class CitizenRulePolicy(RulePolicy):
    """Rasa's ``RulePolicy``, its lookup ended at the longest rule (``rule_lookup``)."""

    def _is_rule_applicable(
        self, rule_key: Text, turn_index: int, conversation_state: Dict[Text, Any]
    ) -> bool:
        """Rasa's ``_is_rule_applicable``, with the rule's states parsed once."""
        if not enabled("rule_lookup"):
            return super()._is_rule_applicable(rule_key, turn_index, conversation_state)
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

    def _get_possible_keys(
        self, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]
    ) -> Set[Text]:
        """Rasa's ``_get_possible_keys``, ending where no rule reaches further."""
        if not enabled("rule_lookup"):
            return super()._get_possible_keys(lookup, states)
        possible_keys = set(lookup.keys())
        reach = longest_rule(lookup)
        for index, state in enumerate(reversed(states)):
            if index >= reach or not possible_keys:
                break
            possible_keys = {
                key for key in possible_keys if self._is_rule_applicable(key, index, state)
            }
        return possible_keys
