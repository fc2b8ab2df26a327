"""Rasa's logistic-regression intent classifier with its regularisation as a setting.

Rasa 3.6's ``LogisticRegressionClassifier`` fixes scikit-learn's default ``C=1.0``: on our
sparse word and character n-gram counts that regularises so strongly that probabilities spread
over the ~40 intents and correct answers fall under the fallback threshold. ``C`` (inverse
regularisation strength) is configurable here. A message without features (empty, blanks
only) has no intent, confidence 0, as with DIET, instead of scikit-learn's error; the fallback
classifier then makes it ``nlu_fallback``. The classifier reads only the sentence features:
they are joined directly, not through ``Message.get_sparse_features``, which also copies and
joins every token's features (half the time of understanding a message, for nothing here);
the columns are the same, in the same order, as in training. Everything else is Rasa's.
"""
from __future__ import annotations

from typing import Any, Dict, List, Optional, Text

from scipy.sparse import csr_matrix, hstack, vstack

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.logistic_regression_classifier import LogisticRegressionClassifier
from rasa.shared.nlu.constants import (FEATURE_TYPE_SENTENCE, INTENT, INTENT_RANKING_KEY,
                                      TEXT)
from rasa.shared.nlu.training_data.message import Message

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
        featured = [m for m in messages if sentence_features(m) is not None]
        for message in messages:
            if message not in featured:
                message.set(INTENT, {"name": None, "confidence": 0.0}, add_to_output=True)
                message.set(INTENT_RANKING_KEY, [], add_to_output=True)
        if featured:
            super().process(featured)
        return messages

    def _create_X(self, messages: List[Message]) -> csr_matrix:
        return vstack([sentence_features(message) for message in messages], format="csr")


def sentence_features(message: Message) -> Optional[csr_matrix]:
    """The message's sparse sentence features of its text, featurizer after featurizer (the
    order ``Message.get_sparse_features`` joins them in), or None."""
    parts = [f.features for f in message.features
             if f.attribute == TEXT and f.type == FEATURE_TYPE_SENTENCE and f.is_sparse()]
    return hstack(parts, format="csr") if parts else None
