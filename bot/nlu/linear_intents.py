"""Rasa's logistic-regression intent classifier with its regularisation as a setting.

Rasa 3.6's ``LogisticRegressionClassifier`` fixes scikit-learn's default ``C=1.0``: on our
sparse word and character n-gram counts that regularises so strongly that probabilities spread
over the ~40 intents and correct answers fall under the fallback threshold. ``C`` (inverse
regularisation strength) is configurable here. A message without features (empty, blanks
only) has no intent, confidence 0, as with DIET, instead of scikit-learn's error; the fallback
classifier then makes it ``nlu_fallback``. The classifier reads only the sentence features:
they are joined directly, not through ``Message.get_sparse_features``, which also copies and
joins every token's features (half the time of understanding a message, for nothing here);
the columns are the same, in the same order, as in training. The probabilities are
scikit-learn's softmax computed directly (``probabilities``). Everything else is Rasa's.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

import numpy as np
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import RANKING_LENGTH
from scipy.sparse import csr_matrix, hstack, vstack

DEFAULT_C = 1.0


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER, is_trainable=True)
class LinearIntentClassifier(LogisticRegressionClassifier):
    """``LogisticRegressionClassifier`` with ``C`` (configure in bot/config.yml)."""

    @staticmethod
    def get_default_config() -> Dict[Text, Any]:
        return {**LogisticRegressionClassifier.get_default_config(), "C": DEFAULT_C}

    def __init__(self, config: Dict[Text, Any], *arguments: Any, **keywords: Any) -> None:
        super().__init__(config, *arguments, **keywords)
        self.clf.set_params(C=float(self.config["C"]))

    def process(self, messages: List[Message]) -> List[Message]:
        """Rasa's ``process``: the intent and the ranking of the most likely intents."""
        rows = [(message, sentence_features(message)) for message in messages]
        for message, row in rows:
            if row is None:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        featured = [(message, row) for message, row in rows if row is not None]
        if not featured:
            return messages
        probabilities = self.probabilities(vstack([row for _, row in featured], format="csr"))
        for (message, _), row_probabilities in zip(featured, probabilities):
            ranking = sorted(
                (
                    {"name": name, "confidence": confidence}
                    for name, confidence in zip(self.clf.classes_, row_probabilities)
                ),
                key=lambda entry: -entry["confidence"],
            )
            intent = ranking[0]
            if self.config[RANKING_LENGTH] > 0:
                ranking = ranking[: self.config[RANKING_LENGTH]]
            message.set(INTENT, intent, add_to_output=True)
            message.set(INTENT_RANKING_KEY, ranking, add_to_output=True)
        return messages

    def probabilities(self, X: csr_matrix) -> np.ndarray:
        """``self.clf.predict_proba(X)``, computed as scikit-learn does for a multinomial model
        (a softmax of ``X · coef_ᵀ + intercept_``) without its checks and conversions, which
        cost several times the arithmetic for one message."""
        clf = self.clf
        if not is_multinomial(clf):
            return clf.predict_proba(X)
        # Row by row, the weights of the row's features only (``X @ coef_.T`` would first copy
        # the whole transposed weight matrix into a contiguous one, every call).
        scores = np.empty((X.shape[0], clf.coef_.shape[0]))
        for row in range(X.shape[0]):
            start, end = X.indptr[row], X.indptr[row + 1]
            scores[row] = clf.coef_[:, X.indices[start:end]] @ X.data[start:end]
        scores += clf.intercept_
        scores -= scores.max(axis=1, keepdims=True)
        np.exp(scores, out=scores)
        scores /= scores.sum(axis=1, keepdims=True)
        return scores

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        return vstack([sentence_features(message) for message in messages], format="csr")


def is_multinomial(clf: Any) -> bool:
    """Whether scikit-learn's ``predict_proba`` takes the softmax of the decision function (its
    own test, sklearn/linear_model/_logistic.py)."""
    ovr = clf.multi_class in ("ovr", "warn") or (
        clf.multi_class == "auto" and (clf.classes_.size <= 2 or clf.solver == "liblinear")
    )
    return not ovr


def sentence_features(message: Message) -> Optional[csr_matrix]:
    """The message's sparse sentence features of its text, featurizer after featurizer (the
    order ``Message.get_sparse_features`` joins them in), as one row, or None. One-row parts are
    laid side by side directly (scipy's ``hstack`` costs as much as the classification)."""
    parts = [
        f.features
        for f in message.features
        if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()
    ]
    if not parts:
        return None
    if any(part.shape[0] != 1 for part in parts):
        return hstack(parts, format="csr")
    columns, values, offset = [], [], 0
    for part in parts:
        coo = part.tocoo()
        columns.append(coo.col + offset)
        values.append(coo.data)
        offset += part.shape[1]
    data = np.concatenate(values)
    return csr_matrix((data, np.concatenate(columns), [0, len(data)]), shape=(1, offset))
