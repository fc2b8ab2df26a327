"""Run in the bot environment: the intent classifier's shortcuts against scipy and scikit-learn;
prints JSON. ``python tests/bot/linear_intents_probe.py`` — tests/bot/test_linear_intents.py
asserts on the record."""

import json
from types import SimpleNamespace

import numpy as np
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, FEATURE_TYPE_SEQUENCE, TEXT
from rasa.shared.nlu.training_data.features import Features
from rasa.shared.nlu.training_data.message import Message
from scipy.sparse import coo_matrix, hstack
from scipy.sparse import random as sparse_random
from sklearn.linear_model import LogisticRegression

from bot.nlu.linear_intents import LinearIntentClassifier, sentence_features

rng = np.random.default_rng(633)


def message_with(parts) -> Message:
    message = Message(data={TEXT: "x"})
    for index, part in enumerate(parts):
        message.add_features(Features(part, FEATURE_TYPE_SENTENCE, TEXT, f"featurizer{index}"))
    # Token features are not the classifier's: they must not change the row.
    message.add_features(Features(coo_matrix(np.ones((3, 4))), FEATURE_TYPE_SEQUENCE, TEXT, "t"))
    return message


def rows_as_scipy_joins_them() -> dict:
    worst, duplicates = 0.0, 0
    for _ in range(300):
        parts = []
        for width in rng.integers(1, 60, size=rng.integers(1, 4)):
            nnz = int(rng.integers(0, 6))
            cols = rng.integers(0, width, size=nnz)
            duplicates += nnz - len(set(cols.tolist()))
            parts.append(
                coo_matrix(
                    (rng.integers(1, 4, size=nnz).astype(float), (np.zeros(nnz, dtype=int), cols)),
                    shape=(1, width),
                )
            )
        ours = sentence_features(message_with(parts)).toarray()
        theirs = hstack(parts, format="csr").toarray()
        worst = max(
            worst,
            float(np.abs(ours - theirs).max()) if ours.shape == theirs.shape else float("inf"),
        )
    return {
        "worst_difference": worst,
        "duplicate_entries_seen": duplicates,
        "no_features": sentence_features(Message(data={TEXT: ""})) is None,
    }


def probabilities_as_scikit_learn_computes_them() -> dict:
    X = sparse_random(400, 300, density=0.03, format="csr", random_state=633)
    y = rng.integers(0, 7, size=400)
    out = {}
    for label, clf in (
        ("multinomial", LogisticRegression(C=50, max_iter=1000)),
        ("one_vs_rest", LogisticRegression(C=50, max_iter=1000, multi_class="ovr")),
    ):
        clf.fit(X, y)
        ours = LinearIntentClassifier.probabilities(SimpleNamespace(clf=clf), X)
        theirs = clf.predict_proba(X)
        out[label] = {
            "worst_difference": float(np.abs(ours - theirs).max()),
            "same_ranking": bool((ours.argsort(axis=1) == theirs.argsort(axis=1)).all()),
        }
    return out


if __name__ == "__main__":
    print(
        json.dumps(
            {
                "rows": rows_as_scipy_joins_them(),
                "probabilities": probabilities_as_scikit_learn_computes_them(),
            }
        )
    )
