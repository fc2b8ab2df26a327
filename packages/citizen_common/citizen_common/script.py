"""Chinese in traditional script read as simplified: OpenCC's ``t2s``, character for character.

Both environments read names and messages this way: the bot before tokenising a message
(``bot.nlu.normalise``), the API before matching a name (``miniapp_api.fuzzy``), so that 協和醫院
finds 协和医院. The result always has the length of the text given, each character in its place
(OpenCC's phrase table could otherwise change a length, and the bot maps entity offsets back), and
text without a traditional character comes back as it was.
"""

from __future__ import annotations

from functools import lru_cache

_FIRST_HAN = "\u3400"


@lru_cache(maxsize=1)
def _converter():
    import opencc

    return opencc.OpenCC("t2s")


def to_simplified(text: str) -> str:
    """``text`` with every traditional character made simplified, the length unchanged."""
    if not text or max(text) < _FIRST_HAN:
        return text
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_one(character) for character in text)


@lru_cache(maxsize=4096)
def _one(character: str) -> str:
    converted = _converter().convert(character)
    return converted if len(converted) == 1 else character
