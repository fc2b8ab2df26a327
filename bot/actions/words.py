"""The words the actions read in citizens' messages (``words.yml`` beside this module): input
grammar in Chinese and English, kept as data like the training data rather than in code."""

from __future__ import annotations

import re
from functools import lru_cache
from pathlib import Path
from typing import Any

import yaml

WORDS_FILE = Path(__file__).with_name("words.yml")


@lru_cache(maxsize=None)
def words(section: str) -> dict[str, Any]:
    """One section of words.yml (``dates``, ``booking``, ``transit``)."""
    return yaml.safe_load(WORDS_FILE.read_text(encoding="utf-8"))[section]


def pattern(section: str, name: str, flags: int = 0) -> re.Pattern:
    """The compiled regular expression ``<name>_pattern`` of a section."""
    return re.compile(words(section)[f"{name}_pattern"], flags)
