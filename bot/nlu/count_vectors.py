"""Rasa's count-vector featurizer, its features of a message computed as scikit-learn computes
them, once (``CitizenCountVectorsFeaturizer``, named in bot/config.yml).

For every message Rasa 3.6's ``CountVectorsFeaturizer`` asks scikit-learn's fitted
``CountVectorizer`` twice per featurizer (each token as a document, then the joined text): each
``transform`` builds its analyzer again (checking the stop words and n-gram range), counts,
builds a CSR matrix, which Rasa then sorts and converts to COO. Two featurizers, four
matrices a message: 7 % of the Rasa server's CPU here (py-spy, ``bench/chat_load.py``).

Here the analyzer is built once per vectorizer, the n-grams are counted as scikit-learn counts
them (in-vocabulary only, by vocabulary index), and the COO matrices are made directly, with
the values, indices, order, shape and types Rasa's own calls give.
``tests/bot/test_count_vectors.py`` compares both (``count_vectors`` on and off) over every
training example and unseen, misspelt and mixed-language phrasings. A vectorizer this does not follow (another class, a
``binary`` one, one not fitted) takes Rasa's own path.
"""

from __future__ import annotations

from typing import Any, Dict, List, Optional, Text, Tuple

import numpy as np
import scipy.sparse
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import DENSE_FEATURIZABLE_ATTRIBUTES
from rasa.nlu.featurizers.sparse_featurizer.count_vectors_featurizer import CountVectorsFeaturizer
from sklearn.feature_extraction.text import CountVectorizer

from bot.speedups import enabled

_analyzers: Dict[int, Tuple[Any, Any]] = {}  # id(vectorizer) -> (vectorizer, analyzer)


def analyzer_of(vectorizer: CountVectorizer) -> Any:
    """The vectorizer's analyzer, built once (kept with the vectorizer it belongs to)."""
    known = _analyzers.get(id(vectorizer))
    if known is None or known[0] is not vectorizer:
        known = (vectorizer, vectorizer.build_analyzer())
        _analyzers[id(vectorizer)] = known
    return known[1]


def follows(vectorizer: Any) -> bool:
    """Whether this module counts exactly as ``vectorizer.transform`` would."""
    return (
        type(vectorizer) is CountVectorizer
        and not vectorizer.binary
        and hasattr(vectorizer, "vocabulary_")
    )


def counts(vectorizer: CountVectorizer, documents: List[Text]) -> scipy.sparse.coo_matrix:
    """``vectorizer.transform(documents)``, indices sorted, as COO (what Rasa keeps)."""
    vocabulary, analyze = vectorizer.vocabulary_, analyzer_of(vectorizer)
    rows: List[int] = []
    columns: List[int] = []
    values: List[int] = []
    for row, document in enumerate(documents):
        counter: Dict[int, int] = {}
        for feature in analyze(document):
            index = vocabulary.get(feature)
            if index is not None:
                counter[index] = counter.get(index, 0) + 1
        for index in sorted(counter):
            rows.append(row)
            columns.append(index)
            values.append(counter[index])
    return scipy.sparse.coo_matrix(
        (
            np.array(values, dtype=vectorizer.dtype),
            (np.array(rows, dtype=np.int32), np.array(columns, dtype=np.int32)),
        ),
        shape=(len(documents), len(vocabulary)),
    )


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_FEATURIZER, is_trainable=True)
class CitizenCountVectorsFeaturizer(CountVectorsFeaturizer):
    """Rasa's ``CountVectorsFeaturizer``, its features counted once (``count_vectors``)."""

    def _create_features(
        self, attribute: Text, all_tokens: List[List[Text]]
    ) -> Tuple[List[Optional[Any]], List[Optional[Any]]]:
        vectorizer = self.vectorizers.get(attribute) if self.vectorizers else None
        if not enabled("count_vectors") or not vectorizer or not follows(vectorizer):
            return super()._create_features(attribute, all_tokens)
        sequence_features: List[Optional[Any]] = []
        sentence_features: List[Optional[Any]] = []
        for tokens in all_tokens:
            if not tokens:
                sequence_features.append(None)
                sentence_features.append(None)
                continue
            sequence_features.append(counts(vectorizer, tokens))
            sentence_features.append(
                counts(vectorizer, [" ".join(tokens)])
                if attribute in DENSE_FEATURIZABLE_ATTRIBUTES
                else None
            )
        return sequence_features, sentence_features
