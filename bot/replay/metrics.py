"""The report's figures, computed from the per-turn records alone (so they can be re-checked).

Definitions (also printed in the report):
- a caller turn is **not handled** when its replay failed (error), or its predicted intent is
  ``nlu_fallback`` or ``out_of_scope`` (unless it answered the question a form had asked: the
  form took the text and closed), or an action or response run after it is
  ``action_default_fallback``, ``utter_default``, ``utter_out_of_scope`` or
  ``utter_service_unavailable``, or no reply came back (an action or its response failed);
- a call is **contained** when every one of its caller turns was handled;
- containment rate = contained calls / replayed calls.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict

from .runner import FALLBACK_ACTIONS, FALLBACK_INTENTS

UNLABELLED = "(unlabelled)"
NO_PREDICTION = "(error)"

DEFINITION = (
    "A caller turn is not handled when its replay failed, or its predicted intent is "
    + " or ".join(FALLBACK_INTENTS)
    + " (unless it answered the question a form had just asked: the form took the text and "
    "closed)"
    + ", or an action or response run after it is "
    + ", ".join(FALLBACK_ACTIONS)
    + ", or the assistant said nothing back (no reply: e.g. "
    "an action or its response failed). A call is contained when every caller turn in it was "
    "handled. Containment rate = contained calls / replayed calls."
)


def unhandled_reason(turn: dict) -> str | None:
    if turn.get("error"):
        return "error: " + turn["error"]
    if turn.get("failed_actions"):
        return "failed action: " + ", ".join(turn["failed_actions"])
    if turn.get("predicted_intent") in FALLBACK_INTENTS and not turn.get("answered_question"):
        return "intent " + turn["predicted_intent"]
    for name in list(turn.get("actions") or []) + list(turn.get("responses") or []):
        if name in FALLBACK_ACTIONS:
            return name
    if not turn.get("replies"):
        return "no reply"
    return None


def percentile(values: list[float], q: float) -> float | None:
    """Linear interpolation between closest ranks (numpy's default)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = (len(ordered) - 1) * q / 100
    low, high = math.floor(rank), math.ceil(rank)
    return round(ordered[low] + (ordered[high] - ordered[low]) * (rank - low), 2)


def _ratio(a: int, b: int) -> float | None:
    return round(a / b, 4) if b else None


def classification(pairs: list[tuple[str, str]]) -> dict:
    """Per-intent precision, recall, F1 and support, and the confusion matrix."""
    labels = sorted({label for label, _ in pairs})
    predicted = sorted({p for _, p in pairs} - set(labels))
    matrix = Counter(pairs)
    per_intent = {}
    for intent in labels:
        tp = matrix[(intent, intent)]
        fp = sum(n for (label, p), n in matrix.items() if p == intent and label != intent)
        fn = sum(n for (label, p), n in matrix.items() if label == intent and p != intent)
        precision, recall = _ratio(tp, tp + fp), _ratio(tp, tp + fn)
        f1 = (
            round(2 * precision * recall / (precision + recall), 4) if precision and recall else 0.0
        )
        per_intent[intent] = {
            "precision": precision or 0.0,
            "recall": recall or 0.0,
            "f1": f1,
            "support": tp + fn,
        }
    columns = labels + predicted
    correct = sum(n for (label, p), n in matrix.items() if label == p)
    f1s = [m["f1"] for m in per_intent.values()]
    return {
        "labels": labels,
        "columns": columns,
        "matrix": [[matrix[(label, column)] for column in columns] for label in labels],
        "per_intent": per_intent,
        "accuracy": _ratio(correct, len(pairs)),
        "macro_f1": round(sum(f1s) / len(f1s), 4) if f1s else None,
    }


def compute(calls: list[dict], wall_seconds: float | None = None) -> dict:
    turns = [turn for call in calls for turn in call["turns"]]
    contained_calls = 0
    per_service: dict[str, list[int]] = defaultdict(lambda: [0, 0])
    reasons: Counter = Counter()
    for call in calls:
        why = [unhandled_reason(turn) for turn in call["turns"]]
        call["contained"] = not any(why)
        contained_calls += call["contained"]
        for turn, reason in zip(call["turns"], why):
            turn["unhandled"] = reason
            if reason:
                reasons[reason.split(":")[0]] += 1
        service = per_service[call.get("service") or UNLABELLED]
        service[0] += call["contained"]
        service[1] += 1
    labelled = [
        (t["label_intent"], t["predicted_intent"] or NO_PREDICTION)
        for t in turns
        if t.get("label_intent")
    ]
    latencies = [
        t["latency_ms"] for t in turns if t.get("latency_ms") is not None and not t.get("error")
    ]
    wrong = [
        dict(t, call_id=c["call_id"])
        for c in calls
        for t in c["turns"]
        if t.get("label_intent") and t["label_intent"] != t["predicted_intent"]
    ]
    wrong.sort(key=lambda t: -(t.get("confidence") or 0))
    fallback = [
        dict(t, call_id=c["call_id"])
        for c in calls
        for t in c["turns"]
        if t.get("unhandled")
        and not (t.get("label_intent") and t["label_intent"] != t["predicted_intent"])
    ]
    fallback.sort(key=lambda t: t.get("confidence") or 0)
    agent_resolved = [c for c in calls if c.get("resolved_by_agent")]
    return {
        "calls_replayed": len(calls),
        "caller_turns": len(turns),
        "labelled_turns": len(labelled),
        "errored_turns": sum(1 for t in turns if t.get("error")),
        "failed_actions": sum(len(t.get("failed_actions") or []) for t in turns),
        "unhandled_turns": sum(1 for t in turns if t.get("unhandled")),
        "unhandled_reasons": dict(reasons.most_common()),
        "contained_calls": contained_calls,
        "containment_rate": _ratio(contained_calls, len(calls)),
        "containment_definition": DEFINITION,
        "containment_by_service": {
            name: {"contained": c, "calls": n, "rate": _ratio(c, n)}
            for name, (c, n) in sorted(per_service.items())
        },
        "agent_resolved_calls": len(agent_resolved),
        "agent_resolved_contained": sum(1 for c in agent_resolved if c["contained"]),
        "intents": classification(labelled) if labelled else None,
        "most_misunderstood": [
            {
                key: t.get(key)
                for key in (
                    "call_id",
                    "position",
                    "text",
                    "label_intent",
                    "predicted_intent",
                    "confidence",
                    "unhandled",
                    "replies",
                )
            }
            for t in (wrong + fallback)[:25]
        ],
        "latency_ms": {
            "p50": percentile(latencies, 50),
            "p90": percentile(latencies, 90),
            "p99": percentile(latencies, 99),
            "max": max(latencies) if latencies else None,
        },
        "wall_seconds": round(wall_seconds, 3) if wall_seconds else None,
        "turns_per_second": (
            round(len(turns) / wall_seconds, 2) if wall_seconds and turns else None
        ),
    }


def compare(new: dict, old: dict) -> dict:
    """What got better or worse since ``old`` (another report.json)."""
    nf, of = new["figures"], old.get("figures", {})
    new_intents = (nf.get("intents") or {}).get("per_intent", {})
    old_intents = (of.get("intents") or {}).get("per_intent", {})
    f1 = {}
    for intent in sorted(set(new_intents) | set(old_intents)):
        before = old_intents.get(intent, {}).get("f1")
        after = new_intents.get(intent, {}).get("f1")
        delta = None if before is None or after is None else round(after - before, 4)
        f1[intent] = {"old": before, "new": after, "delta": delta}
    old_turns = {
        (c["call_id"], t["position"]): t for c in old.get("calls", []) for t in c.get("turns", [])
    }
    changed = []
    for call in new["calls"]:
        for turn in call["turns"]:
            before = old_turns.get((call["call_id"], turn["position"]))
            if before and before.get("predicted_intent") != turn.get("predicted_intent"):
                label = turn.get("label_intent")
                verdict = (
                    "better"
                    if label and turn.get("predicted_intent") == label
                    else "worse"
                    if label and before.get("predicted_intent") == label
                    else "changed"
                )
                changed.append(
                    {
                        "call_id": call["call_id"],
                        "position": turn["position"],
                        "text": turn["text"],
                        "label_intent": label,
                        "old": before.get("predicted_intent"),
                        "new": turn.get("predicted_intent"),
                        "verdict": verdict,
                    }
                )
    old_contained = {c["call_id"]: c.get("contained") for c in old.get("calls", [])}
    flipped = [
        {"call_id": c["call_id"], "old": old_contained[c["call_id"]], "new": c["contained"]}
        for c in new["calls"]
        if c["call_id"] in old_contained and old_contained[c["call_id"]] != c["contained"]
    ]
    rate_old, rate_new = of.get("containment_rate"), nf.get("containment_rate")
    return {
        "old_report": old.get("source"),
        "containment_rate": {
            "old": rate_old,
            "new": rate_new,
            "delta": (
                round(rate_new - rate_old, 4)
                if rate_old is not None and rate_new is not None
                else None
            ),
        },
        "macro_f1": {
            "old": (of.get("intents") or {}).get("macro_f1"),
            "new": (nf.get("intents") or {}).get("macro_f1"),
        },
        "f1_by_intent": f1,
        "calls_whose_containment_changed": flipped,
        "turns_with_changed_intent": changed,
    }
