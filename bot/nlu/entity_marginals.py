"""Rasa's CRF entity extractor, its per-token tag probabilities asked of crfsuite without the
Python around each question (``CitizenCRFEntityExtractor``, named in bot/config.yml).

For every message Rasa 3.6's ``CRFEntityExtractor`` asks sklearn-crfsuite for the marginal
probability of every tag at every token: one call into crfsuite per tag and token, each going
through the estimator's ``tagger_`` property, and then, per token, strips the BILOU prefix of
every tag again to add up the probabilities of the best tag's entity. About 5 % of the Rasa
server's CPU per message here (py-spy, ``bench/chat_load.py``). Here the tagger and its labels
are looked up once a message, and each tag's prefix is stripped once: the same crfsuite calls,
the same sums in the same order, so the same numbers. The entities keep Rasa's extractor name.
``tests/bot/test_entity_marginals.py`` compares whole parses (intents, entities, confidences)
with ``entity_marginals`` on and off.
"""

from __future__ import annotations

from functools import lru_cache
from typing import Any, Dict, List, Text, Tuple

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.constants import TOKENS_NAMES
from rasa.nlu.extractors.crf_entity_extractor import CRFEntityExtractor
from rasa.nlu.utils import bilou_utils
from rasa.shared.nlu.constants import ENTITY_ATTRIBUTE_TYPE, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.utils.tensorflow.constants import BILOU_FLAG, FEATURIZERS

from bot.speedups import enabled

entity_of = lru_cache(maxsize=4096)(bilou_utils.tag_without_prefix)


def predict_marginals_single(crf: Any, xseq: List[Dict[Text, Any]]) -> List[Dict[Text, float]]:
    """sklearn-crfsuite's ``CRF.predict_marginals_single``: the same calls, bound once."""
    tagger = crf.tagger_
    labels = tagger.labels()
    tagger.set(xseq)
    marginal = tagger.marginal
    return [{label: marginal(label, i) for label in labels} for i in range(len(xseq))]


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR, is_trainable=True)
class CitizenCRFEntityExtractor(CRFEntityExtractor):
    """Rasa's ``CRFEntityExtractor``, its tag probabilities read once (``entity_marginals``)."""

    @property
    def name(self) -> Text:
        """Rasa's name for the extractor, in every entity it finds (as before the subclass)."""
        return CRFEntityExtractor.__name__

    def extract_entities(self, message: Message) -> List[Dict[Text, Any]]:
        """Rasa 3.6's ``extract_entities``, each tagger's marginals read with it bound once."""
        if not enabled("entity_marginals"):
            return super().extract_entities(message)
        if self.entity_taggers is None or not message.features_present(
            attribute=TEXT, featurizers=self.component_config.get(FEATURIZERS)
        ):
            return []
        tokens = message.get(TOKENS_NAMES[TEXT])
        crf_tokens = self._convert_to_crf_tokens(message)
        predictions: Dict[Text, List[Dict[Text, float]]] = {}
        for tag_name, entity_tagger in self.entity_taggers.items():
            # the predicted entity tags as features of the second-level CRFs
            include_tag_features = tag_name != ENTITY_ATTRIBUTE_TYPE
            if include_tag_features:
                self._add_tag_to_crf_token(crf_tokens, predictions)
            features = self._crf_tokens_to_features(
                crf_tokens, self.component_config, include_tag_features
            )
            predictions[tag_name] = predict_marginals_single(entity_tagger, features)
        tags, confidences = self._tag_confidences(tokens, predictions)
        return self.convert_predictions_into_entities(
            message.get(TEXT), tokens, tags, self.split_entities_config, confidences
        )

    def _most_likely_tag(
        self, predictions: List[Dict[Text, float]]
    ) -> Tuple[List[Text], List[float]]:
        if not enabled("entity_marginals"):
            return super()._most_likely_tag(predictions)
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
