"""DIET and TED that load in seconds instead of a minute.

When Rasa 3.6 loads a TensorFlow model it first *trains it for one step* to create its weights
(``RasaModel.load`` calls ``model.fit`` on one example), and Keras traces the whole training
step into a graph first: about 35 seconds per model on this 2-core machine, for a step whose
result is thrown away when the trained weights are loaded. Here that one step runs eagerly
(no tracing, well under a second), and the model is switched back to graph mode so that
prediction runs as the usual compiled ``tf.function``, traced once at load on an example.

Training is unchanged: these classes only override loading.
"""
from __future__ import annotations

from typing import Any, Optional, Text, Type

from rasa.core.policies.ted_policy import TED, TEDPolicy
from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.classifiers.diet_classifier import DIET, DIETClassifier
from rasa.utils.tensorflow.constants import RUN_EAGERLY
from rasa.utils.tensorflow.model_data import RasaModelData
from rasa.utils.tensorflow.models import RasaModel


class EagerlyBuiltModel:
    """Mixin for a ``RasaModel``: build the weights eagerly, predict in graph mode."""

    @classmethod
    def load(
        cls,
        model_file_name: Text,
        model_data_example: RasaModelData,
        predict_data_example: Optional[RasaModelData] = None,
        finetune_mode: bool = False,
        *args: Any,
        **kwargs: Any,
    ) -> RasaModel:
        config = kwargs.get("config") or {}
        if finetune_mode or config.get(RUN_EAGERLY):
            return super().load(  # type: ignore[misc]
                model_file_name, model_data_example, predict_data_example, finetune_mode,
                *args, **kwargs,
            )
        eager = {**kwargs, "config": {**config, RUN_EAGERLY: True}}
        model = super().load(  # type: ignore[misc]
            model_file_name, model_data_example, None, finetune_mode, *args, **eager
        )
        model.config[RUN_EAGERLY] = False
        model.run_eagerly = False
        if predict_data_example:
            # Trace the prediction graph now, not on the first citizen's message.
            model.run_inference(predict_data_example)
        return model


class EagerlyBuiltDIET(EagerlyBuiltModel, DIET):
    pass


class EagerlyBuiltTED(EagerlyBuiltModel, TED):
    pass


@DefaultV1Recipe.register(
    [
        DefaultV1Recipe.ComponentType.INTENT_CLASSIFIER,
        DefaultV1Recipe.ComponentType.ENTITY_EXTRACTOR,
    ],
    is_trainable=True,
)
class FastLoadingDIETClassifier(DIETClassifier):
    """``DIETClassifier`` whose model loads without tracing a training step."""

    @staticmethod
    def model_class() -> Type[RasaModel]:
        return EagerlyBuiltDIET


@DefaultV1Recipe.register(
    DefaultV1Recipe.ComponentType.POLICY_WITH_END_TO_END_SUPPORT, is_trainable=True
)
class FastLoadingTEDPolicy(TEDPolicy):
    """``TEDPolicy`` whose model loads without tracing a training step."""

    @staticmethod
    def model_class() -> Type[TED]:
        return EagerlyBuiltTED
