"""A message as the models read it: traditional script made simplified, Cantonese words made
Mandarin and SMS English spelt out (``colloquial`` and ``sms_english`` in bot/actions/words.yml),
each original position mapped to its new one.

``CleanJiebaTokenizer`` normalises every message's text before tokenising, in training and at
run time, so the featurizers, the intent classifier and the entity extractor all read Mandarin
in simplified script, and the actions read it in ``latest_message``: 幾點有車 reads 几点有车,
聽日 reads 明天, 外面空氣點呀 reads 外面空气怎么样. The user event keeps what the citizen wrote.
A training example's entities are moved to their place in the new text.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from citizen_common.script import to_simplified

from bot.actions.words import words


@dataclass(frozen=True)
class Normalised:
    text: str
    # For each boundary 0..len(original) of the original text, the boundary in ``text``.
    boundaries: tuple[int, ...]

    def span(self, start: int, end: int) -> tuple[int, int]:
        """Where the original ``[start, end)`` lies in the new text."""
        return self.boundaries[start], self.boundaries[end]


@lru_cache(maxsize=1)
def _colloquial() -> tuple[re.Pattern, dict[str, str]]:
    """One pattern of every colloquial word, longest first: Cantonese anywhere, SMS English as
    whole words in any case."""
    meanings = {str(word): str(meaning) for word, meaning in words("colloquial")}
    meanings |= {str(word).lower(): str(meaning) for word, meaning in words("sms_english")}

    def alternative(word: str) -> str:
        if word.isascii():
            return rf"(?<![a-z0-9]){re.escape(word)}(?![a-z0-9'])"
        return re.escape(word)

    longest_first = sorted(meanings, key=len, reverse=True)
    pattern = re.compile("|".join(map(alternative, longest_first)), re.IGNORECASE)
    return pattern, meanings


def normalise(text: str) -> Normalised:
    """``text`` in simplified Mandarin, its length changed only where a Cantonese word was."""
    simplified = to_simplified(text)
    pattern, mandarin = _colloquial()
    pieces: list[str] = []
    boundaries: list[int] = []
    length = 0
    kept_from = 0
    for match in pattern.finditer(simplified):
        start, end = match.span()
        word = match.group()
        replacement = mandarin.get(word) or mandarin[word.lower()]
        if replacement == word:
            continue
        kept = simplified[kept_from:start]
        boundaries.extend(range(length, length + len(kept)))
        length += len(kept)
        pieces.append(kept)
        # Inside a word replaced by one as long, each boundary keeps its place; inside any other,
        # every boundary maps to the start of the replacement.
        if len(replacement) == end - start:
            boundaries.extend(range(length, length + len(replacement)))
        else:
            boundaries.extend([length] * (end - start))
        length += len(replacement)
        pieces.append(replacement)
        kept_from = end
    if not pieces:
        return Normalised(simplified, tuple(range(len(text) + 1)))
    kept = simplified[kept_from:]
    boundaries.extend(range(length, length + len(kept) + 1))
    pieces.append(kept)
    return Normalised("".join(pieces), tuple(boundaries))


def normalise_example(text: str, entities: list[dict[str, Any]] | None) -> str:
    """A training example's new text; its entities (changed in place) moved there, and a value
    that was the entity's own words becomes the new words."""
    normalised = normalise(text)
    for entity in entities or []:
        start, end = entity.get("start"), entity.get("end")
        if not isinstance(start, int) or not isinstance(end, int):
            continue
        new_start, new_end = normalised.span(start, end)
        if entity.get("value") == text[start:end]:
            entity["value"] = normalised.text[new_start:new_end]
        entity["start"], entity["end"] = new_start, new_end
    return normalised.text
