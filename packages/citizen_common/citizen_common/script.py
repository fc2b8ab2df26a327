"""Chinese in traditional script read as simplified (OpenCC's ``t2s``, character for character),
and simplified written as traditional (``s2hk``) for the replies in zh_Hant.

Both environments read names and messages this way: the bot before tokenising a message
(``bot.nlu.normalise``), the API before matching a name (``miniapp_api.fuzzy``), so that 協和醫院
finds 协和医院. The result always has the length of the text given, each character in its place
(OpenCC's phrase table could otherwise change a length, and the bot maps entity offsets back), and
text without a traditional character comes back as it was.
"""

from __future__ import annotations

import re
from functools import lru_cache

_FIRST_HAN = "\u3400"
# A lone surrogate (JSON may carry "\ud800") cannot be encoded for OpenCC: it is read as U+FFFD,
# one character for one.
_LONE_SURROGATE = re.compile("[\ud800-\udfff]")
REPLACEMENT_CHARACTER = "\ufffd"


def _encodable(text: str) -> str:
    return _LONE_SURROGATE.sub(REPLACEMENT_CHARACTER, text)


@lru_cache(maxsize=None)
def _converter(configuration: str = "t2s"):
    import opencc

    return opencc.OpenCC(configuration)


def to_simplified(text: str) -> str:
    """``text`` with every traditional character made simplified, the length unchanged."""
    if not text or max(text) < _FIRST_HAN:
        return text
    text = _encodable(text)
    converted = _converter().convert(text)
    if len(converted) == len(text):
        return converted
    return "".join(_one(character) for character in text)


@lru_cache(maxsize=4096)
def _one(character: str) -> str:
    converted = _converter().convert(character)
    return converted if len(converted) == 1 else character


def to_traditional(text: str) -> str:
    """``text`` in traditional script as Guangzhou, Hong Kong and Macau write it (``s2hk``): the
    names data holds (a hospital, a stop) inside a reply in zh_Hant."""
    if not text or max(text) < _FIRST_HAN:
        return text
    return _converter("s2hk").convert(_encodable(text))


def chinese_script(text: str) -> str | None:
    """``"traditional"`` when ``text`` has a character only traditional script writes,
    ``"simplified"`` when it has one only simplified writes, ``None`` when every character is
    both scripts' ("你好", "中山大学" is simplified: 学)."""
    if not text or max(text) < _FIRST_HAN:
        return None
    text = _encodable(text)
    if to_simplified(text) != text:
        return "traditional"
    if _converter("s2t").convert(text) != text:
        return "simplified"
    return None
