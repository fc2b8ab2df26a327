"""Run in the bot environment: prints, as JSON, how our tokenizer and Rasa's split each text."""

import json
import sys

from rasa.nlu.tokenizers.jieba_tokenizer import JiebaTokenizer
from rasa.shared.nlu.training_data.message import Message

from bot.nlu.tokenizer import CleanJiebaTokenizer


def tokens(tokenizer_class, text):
    tokenizer = tokenizer_class(tokenizer_class.get_default_config(), None, None)
    return [
        [t.text, t.start, t.end] for t in tokenizer.tokenize(Message(data={"text": text}), "text")
    ]


print(
    json.dumps(
        {
            text: {"ours": tokens(CleanJiebaTokenizer, text), "rasa": tokens(JiebaTokenizer, text)}
            for text in sys.argv[1:]
        },
        ensure_ascii=False,
    )
)
