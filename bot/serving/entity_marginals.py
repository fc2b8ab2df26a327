"""The CRF entity extractor's per-token tag probabilities, asked of crfsuite without the
Python around each question.

For every message Rasa 3.6's ``CRFEntityExtractor`` asks sklearn-crfsuite for the marginal
probability of every tag at every token: one call into crfsuite per tag and token, each going
through the estimator's ``tagger_`` property, and then, per token, strips the BILOU prefix of
every tag again to add up the probabilities of the best tag's entity. About 5 % of the Rasa
server's CPU per message here (py-spy, ``bench/chat_load.py``). Here the tagger and its labels
are looked up once a message, and each tag's prefix is stripped once: the same crfsuite calls,
the same sums in the same order, so the same numbers. ``tests/bot/test_entity_marginals.py``
compares whole parses (intents, entities, confidences) with Rasa's own.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text, Tuple


def predict_marginals_single(self: Any, xseq: List[Dict[Text, Any]]) -> List[Dict[Text, float]]:
    """sklearn-crfsuite's ``CRF.predict_marginals_single``: the same calls, bound once."""
    tagger = self.tagger_
    labels = tagger.labels()
    tagger.set(xseq)
    marginal = tagger.marginal
    return [{label: marginal(label, i) for label in labels} for i in range(len(xseq))]


def install() -> None:
    from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
    from rasa.nlu.utils import bilou_utils
    from rasa.utils.tensorflow.constants import BILOU_FLAG
    from sklearn_crfsuite import CRF

    if getattr(CRF.predict_marginals_single, "bound_once", False):
        return
    entity_of = lru_cache(maxsize=4096)(bilou_utils.tag_without_prefix)

    def _most_likely_tag(
        self: CRFEntityExtractor, predictions: List[Dict[Text, float]]
    ) -> Tuple[List[Text], List[float]]:
        tags: List[Text] = []
        confidences: List[float] = []
        bilou = self.component_config[BILOU_FLAG]
        for token_predictions in predictions:
            tag = max(token_predictions, key=token_predictions.__getitem__)
            tags.append(tag)
            if bilou:
                # the probabilities of the B, I, L and U tags of the tag's entity, summed
                entity = entity_of(tag)
                confidences.append(
                    sum(
                        confidence
                        for other, confidence in token_predictions.items()
                        if entity_of(other) == entity
                    )
                )
            else:
                confidences.append(token_predictions[tag])
        return tags, confidences

    predict_marginals_single.bound_once = True
    CRF.predict_marginals_single = predict_marginals_single
    CRFEntityExtractor._most_likely_tag = _most_likely_tag
