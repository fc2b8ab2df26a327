"""Run in the bot environment: the trained assistant's rule policy finding rules with Rasa's own
code (``rule_lookup`` off by name) and with ``bot.policies.rules.CitizenRulePolicy``; prints
JSON. ``python tests/bot/rule_lookup_probe.py``
— tests/bot/test_rule_lookup.py asserts on the record.

Every story and rule of the assistant is played as the server meets it (a new tracker before
every action); at each point the rule policy's findings (the rule keys matching the states, for
the rules and for the loops' unhappy paths, and the action it then predicts) are taken with
Rasa's code, then again with the speed-up on, and compared.
"""

import json
from pathlib import Path

from assistant_stories import domain_and_stories
from rasa.core.agent import Agent
from rasa.core.policies.rule_policy import RULES, RULES_FOR_LOOP_UNHAPPY_PATH, RulePolicy
from rasa.shared.core.events import ActionExecuted
from rasa.shared.core.trackers import DialogueStateTracker
from speedup_switch import turned_off

from bot.policies import rules

ROOT = Path(__file__).resolve().parents[2]


def findings(policy: RulePolicy, domain, trackers: list) -> list:
    found = []
    for tracker in trackers:
        states = policy._prediction_states(
            tracker, domain, rule_only_data=policy._get_rule_only_data()
        )
        found.append(
            {
                "rules": sorted(policy._get_possible_keys(policy.lookup[RULES], states)),
                "unhappy": sorted(
                    policy._get_possible_keys(policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH], states)
                ),
                # By intent all of it; by text the action and whether a loop was interrupted,
                # what ``_predict`` reads when no action was found (not the states' key).
                "predicted": [
                    list(policy._find_action_from_rules(tracker, domain, False)),
                    [
                        found
                        for position, found in enumerate(
                            policy._find_action_from_rules(tracker, domain, True)
                        )
                        if position != 1
                    ],
                ],
                "prediction": _prediction(policy, tracker, domain),
            }
        )
    return found


def _prediction(policy: RulePolicy, tracker, domain) -> list:
    """What the policy predicts, as ``_predict`` returns it."""
    prediction, source = policy._predict(tracker, domain)
    return [
        prediction.probabilities,
        [str(event) for event in prediction.events],
        prediction.is_end_to_end_prediction,
        prediction.is_no_user_prediction,
        prediction.hide_rule_turn,
        source,
    ]


def main() -> dict:
    agent = Agent.load(str(ROOT / "bot" / "models" / "citizen.tar.gz"))
    policy = next(
        node._component
        for node in agent.processor.graph_runner._instantiated_nodes.values()
        if isinstance(node._component, RulePolicy)
    )
    domain = agent.domain
    played = []
    for index, story in enumerate(domain_and_stories(domain)[1]):
        events = list(story.events)
        for end in range(1, len(events) + 1):
            if end == len(events) or isinstance(events[end], ActionExecuted):
                played.append(
                    DialogueStateTracker.from_events(
                        f"conversation-{index}", events[:end], domain.slots
                    )
                )
    with turned_off("rule_lookup", rules, "reversed_rule_states"):
        theirs = findings(policy, domain, played)
    ours = findings(policy, domain, played)
    index = rules.rule_index(policy.lookup[RULES])
    asked = []
    for tracker in played:
        for text in (False, True):
            states = policy._prediction_states(
                tracker, domain, text, rule_only_data=policy._get_rule_only_data()
            )
            if states:
                asked.append((text, len(index.candidates(states[-1]))))
    different = [
        {"at": i, "ours": o, "theirs": t} for i, (o, t) in enumerate(zip(ours, theirs)) if o != t
    ]
    return {
        "rules": len(policy.lookup[RULES]),
        "unhappy_rules": len(policy.lookup[RULES_FOR_LOOP_UNHAPPY_PATH]),
        "longest_rule": rules.longest_rule(policy.lookup[RULES]),
        "longest_state_history": max(len(policy._prediction_states(t, domain)) for t in played),
        "compared": len(played),
        "with_rules_found": sum(bool(t["rules"]) for t in theirs),
        "with_unhappy_found": sum(bool(t["unhappy"]) for t in theirs),
        "actions_predicted": sum(t["predicted"][0][0] is not None for t in theirs),
        "asked_by_intent": max(n for text, n in asked if not text),
        "asked_by_text": max(n for text, n in asked if text),
        "asked_by_intent_mean": sum(n for text, n in asked if not text) / len(asked) * 2,
        "different_count": len(different),
        "different": different[:3],
        "class": type(policy).__name__,
    }


if __name__ == "__main__":
    print(json.dumps(main(), ensure_ascii=False))
