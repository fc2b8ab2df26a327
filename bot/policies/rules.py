"""Rasa's rule policy finding the rules that match a conversation, without asking every rule
about every turn (``CitizenRulePolicy``, named in bot/config.yml).

For every prediction Rasa 3.6's ``RulePolicy`` filters its rules against the conversation's
dialogue states, newest first: for each state of the whole conversation it asks every rule
still standing whether it applies at that distance, and each asking parses the rule's key (its
states as JSON) again. Here each rule's states are parsed once, and two things follow from how
a rule applies:

- at the newest state a rule applies only if its previous action is the conversation's (both
  none, or the same ``action_name``) and, when it names an intent, the intent is the
  conversation's. So the rules are indexed by that pair once, and only those under the
  conversation's pair (and the few the index cannot place) are asked; the others could not
  apply. Of the assistant's 99 rules, at most four are left to ask, by intent or by the last
  message's text (Rasa looks up the text before every lookup by intent; no rule is written
  for a text). When no rule may match a text at all, that lookup is not made: its states are
  not even worked out;
- a rule of n states applies at any distance of n or more, so once the distance reaches the
  longest rule, every rule still standing stays: the filtering ends there (and when none is
  left), with the same rules found.

``tests/bot/test_rule_lookup.py`` compares the rule policy's findings (``rule_lookup`` on and
off) before every action of every story and rule of the assistant, by intent and by text.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, Dict, List, Optional, Set, Text, Tuple

from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.shared.core.constants import ACTION_LISTEN_NAME, PREVIOUS_ACTION, SHOULD_NOT_BE_SET, USER
from rasa.shared.nlu.constants import ACTION_NAME, INTENT

from bot.speedups import enabled

State = Dict[Text, Any]
# The index's key of a state: its previous action's name (None: no previous action) and its
# intent (None: none, or not named by the rule).
Pair = Tuple[Optional[Text], Optional[Text]]


@lru_cache(maxsize=None)  # the keys of the trained rules: a fixed set
def reversed_rule_states(rule_key: Text) -> List[State]:
    """A rule's states, newest first (read-only: shared between calls)."""
    return list(reversed(json.loads(rule_key)))


@dataclass(frozen=True)
class RuleIndex:
    """The rules of one lookup by the pair of their newest state, and how far the longest
    reaches."""

    lookup: Dict[Text, Text]
    size: int
    by_pair: Dict[Pair, Tuple[Text, ...]]  # rules that name the intent, and those that do not
    unplaced: Tuple[Text, ...]  # rules whose newest state the index cannot place: always asked
    longest: int

    @property
    def may_match_a_text(self) -> bool:
        """Whether a rule may apply right after a message looked up by its text (the newest
        state's previous action ``action_listen``, no intent)."""
        return bool(self.unplaced or self.by_pair.get((ACTION_LISTEN_NAME, None)))

    @classmethod
    def of(cls, lookup: Dict[Text, Text]) -> "RuleIndex":
        by_pair: Dict[Pair, List[Text]] = {}
        unplaced: List[Text] = []
        for key in lookup:
            pair = _rule_pair(reversed_rule_states(key)[0])
            if pair is None:
                unplaced.append(key)
            else:
                by_pair.setdefault(pair, []).append(key)
        return cls(
            lookup,
            len(lookup),
            {pair: tuple(keys) for pair, keys in by_pair.items()},
            tuple(unplaced),
            max((len(reversed_rule_states(key)) for key in lookup), default=0),
        )

    def candidates(self, newest: State) -> List[Text]:
        """The rules that may apply at the conversation's newest state; no other can."""
        action = newest.get(PREVIOUS_ACTION)
        if not action:
            name = None
        else:
            name = action.get(ACTION_NAME)
            if not name:  # a previous action known by its text only: ask every rule
                return list(self.lookup)
        intent = (newest.get(USER) or {}).get(INTENT)
        found = list(self.by_pair.get((name, None), ()))
        if intent:
            found.extend(self.by_pair.get((name, intent), ()))
        found.extend(self.unplaced)
        return found


def _rule_pair(newest: State) -> Optional[Pair]:
    """The index's pair of a rule's newest state, or None where the rule matches in another way
    than by an equal name and intent (an action by text, a value that must not be set)."""
    action = newest.get(PREVIOUS_ACTION)
    if not action:
        return (None, None)
    name = action.get(ACTION_NAME)
    if not isinstance(name, str) or name in ("", SHOULD_NOT_BE_SET) or set(action) != {ACTION_NAME}:
        return None
    user = newest.get(USER) or {}
    intent = user.get(INTENT)
    if intent is None:
        return (name, None)
    if not isinstance(intent, str) or not intent or intent == SHOULD_NOT_BE_SET:
        return None
    return (name, intent)


_indexes: Dict[int, RuleIndex] = {}  # id(lookup) -> its index


def rule_index(lookup: Dict[Text, Text]) -> RuleIndex:
    """The index of ``lookup``, made again if the lookup is another or has changed size."""
    known = _indexes.get(id(lookup))
    if known is None or known.lookup is not lookup or known.size != len(lookup):
        known = _indexes[id(lookup)] = RuleIndex.of(lookup)
    return known


def longest_rule(lookup: Dict[Text, Text]) -> int:
    """How many states the longest rule of ``lookup`` has."""
    return rule_index(lookup).longest


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITHOUT_END_TO_END_SUPPORT, is_trainable=True
)
class CitizenRulePolicy(RulePolicy):
    """Rasa's ``RulePolicy``, its lookup asking only the rules that may apply and ending at
    the longest rule (``rule_lookup``)."""

    def _is_rule_applicable(
        self, rule_key: Text, turn_index: int, conversation_state: Dict[Text, Any]
    ) -> bool:
        """Rasa's ``_is_rule_applicable``, with the rule's states parsed once."""
        if not enabled("rule_lookup"):
            return super()._is_rule_applicable(rule_key, turn_index, conversation_state)
        return self._applies(rule_key, turn_index, conversation_state)

    def _applies(self, rule_key: Text, turn_index: int, conversation_state: State) -> bool:
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

    def _find_action_from_rules(
        self, tracker: Any, domain: Any, use_text_for_last_user_input: bool
    ) -> Tuple[Optional[Text], Optional[Text], bool]:
        """Rasa's ``_find_action_from_rules``; by the last message's text, when no rule or loop
        path may match a text, nothing found without working out the states. (Rasa would also
        return the states' key, which ``_predict`` reads only when an action was found.)"""
        if (
            use_text_for_last_user_input
            and enabled("rule_lookup")
            and tracker.latest_action_name == ACTION_LISTEN_NAME
            and not any(
                rule_index(self.lookup[name]).may_match_a_text
                for name in (RULES, RULES_FOR_LOOP_UNHAPPY_PATH)
                if self.lookup.get(name)
            )
        ):
            return None, None, False
        return super()._find_action_from_rules(tracker, domain, use_text_for_last_user_input)

    def _get_possible_keys(
        self, lookup: Dict[Text, Text], states: List[Dict[Text, Any]]
    ) -> Set[Text]:
        """Rasa's ``_get_possible_keys``: the rules the index leaves, ending where no rule
        reaches further."""
        if not enabled("rule_lookup"):
            return super()._get_possible_keys(lookup, states)
        if not states:
            return set(lookup.keys())
        index = rule_index(lookup)
        newest = states[-1]
        possible_keys = {key for key in index.candidates(newest) if self._applies(key, 0, newest)}
        for distance in range(1, min(index.longest, len(states))):
            if not possible_keys:
                break
            state = states[-1 - distance]
            possible_keys = {key for key in possible_keys if self._applies(key, distance, state)}
        return possible_keys
