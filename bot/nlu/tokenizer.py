"""A jieba tokenizer that reads Mandarin, drops whitespace tokens and makes every token encodable.

Before tokenising, a message's text is normalised (``bot.nlu.normalise``): traditional script
made simplified, Cantonese words made Mandarin. The message's text becomes the normalised one, so
the later components and the actions read it; a training example's entities move with it. A
command (``/intent{...}``) is left as it is.

Rasa's ``JiebaTokenizer`` keeps the spaces that jieba emits in mixed Chinese and English text
(a Chinese sentence with "bus 55" inside gives " " tokens around the Latin words). Featurizers then see empty words, and the entity
extractors' token boundaries break. This tokenizer keeps every real token with its offsets.

A JSON string may carry a lone surrogate (``"\\ud800"``), which no encoder accepts: the CRF
entity extractor's C library fails on it. Such characters become U+FFFD in the tokens (one
character for one, so the offsets still point into the message).
"""

from __future__ import annotations

import re
from typing import Any, Dict, List, Text

from rasa.engine.recipes.default_recipe import DefaultV1Recipe
from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.nlu.tokenizers.tokenizer import Token
from rasa.shared.constants import INTENT_MESSAGE_PREFIX
from rasa.shared.nlu.constants import ENTITIES, TEXT
from rasa.shared.nlu.training_data.message import Message
from rasa.shared.nlu.training_data.training_data import TrainingData

from bot.nlu.normalise import normalise, normalise_example

# What a message may weigh in understanding it. A caller's request is a sentence or two; a pasted
# 20,000-character message would otherwise become a sequence of thousands of tokens, whose
# features and entity tagging cost time in proportion, for nothing.
MAX_CHARACTERS = 2000
MAX_TOKENS = 200
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"


@DefaultV1Recipe.register(DefaultV1Recipe.ComponentType.MESSAGE_TOKENIZER, is_trainable=True)
class CleanJiebaTokenizer(JiebaTokenizer):
    """Jieba tokens without the whitespace ones."""

    def __init__(self, config: Dict[Text, Any], *args: Any, **kwargs: Any) -> None:
        super().__init__(config, *args, **kwargs)
        import jieba

        # Build jieba's prefix dictionary now (about a second), not on the first message.
        jieba.initialize()

    def process_training_data(self, training_data: TrainingData) -> TrainingData:
        for example in training_data.training_examples:
            text = example.get(TEXT)
            if _is_words(text):
                read = _LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text)
                example.set(TEXT, normalise_example(read, example.get(ENTITIES)))
        return super().process_training_data(training_data)

    def process(self, messages: List[Message]) -> List[Message]:
        for message in messages:
            text = message.get(TEXT)
            if _is_words(text):
                # What is past MAX_CHARACTERS is never read: it is left as it came.
                read = _LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text[:MAX_CHARACTERS])
                message.set(TEXT, normalise(read).text + text[MAX_CHARACTERS:])
        return super().process(messages)

    def tokenize(self, message: Message, attribute: Text) -> List[Token]:
        import jieba

        text = message.get(attribute)
        text = _LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text[:MAX_CHARACTERS])
        tokens = [Token(word, start) for word, start, _end in jieba.tokenize(text) if word.strip()]
        return self._apply_token_pattern(tokens)[:MAX_TOKENS]


def _is_words(text: Any) -> bool:
    return isinstance(text, str) and bool(text) and not text.startswith(INTENT_MESSAGE_PREFIX)
