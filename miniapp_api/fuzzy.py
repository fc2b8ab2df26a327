"""Typo-tolerant matching of what a citizen types against names and aliases (pure functions):
the one matcher of hospitals, departments, doctors, stops, routes and service items.

Text is compared after normalization (NFKC, traditional script as simplified, lower case, no
spaces or punctuation), so "Peking Union" and "pekingunion" are the same, and so are 協和醫院 and
协和医院. A query scores against one term:

- 1.0 when equal;
- 0.90-0.95 when the query is a part of the term ("union" in "Peking Union Medical College
  Hospital"; two Han characters in a three-character department name), more the more of the
  term it covers;
- 0.60-0.90 when the term is a part of the query ("xiehe's" contains "xiehe");
- 0.75 (0.65) with one (two) wrong, missing, extra or swapped characters ("dermatolgist", a
  homophone typed for one character of a hospital's name), and 0.70 when a part of a longer
  term is that close (queries of 8 Latin letters or 4 Han characters and more);

an entity scores its best term. Edits are allowed from 3 characters on (one) and from 8 (two):
a two-character name with a typo is a different name.
"""

from __future__ import annotations

import unicodedata
from collections import Counter
from collections.abc import Callable, Iterable
from functools import lru_cache
from typing import TypeVar

from citizen_common.script import to_simplified

T = TypeVar("T")
THRESHOLD = 0.6
EXACT, CONTAINED = 1.0, 0.9


@lru_cache(maxsize=8192)  # names and aliases, and recent queries
def normalize(text: str) -> str:
    text = to_simplified(unicodedata.normalize("NFKC", text or "")).lower()
    return "".join(c for c in text if c.isalnum())


def allowed_edits(length: int) -> int:
    """Edits a whole-term match tolerates for a query of ``length`` characters."""
    return 0 if length < 3 else 1 if length < 8 else 2


@lru_cache(maxsize=1024)
def allowed_part_edits(query: str) -> int:
    """Edits a match inside a longer term tolerates. Short queries are found nearly anywhere
    with an edit ("heart" in "women's health"), so this needs 8 Latin letters or 4 Han
    characters (which say more each), and two edits twice that."""
    weight = sum(2 if unicodedata.east_asian_width(c) == "W" else 1 for c in query)
    return 0 if weight < 8 else 1 if weight < 16 else 2


def _distances(a: str, b: str, anywhere_in_b: bool) -> list[int]:
    """The last row of the optimal string alignment table of ``a`` against ``b``; with
    ``anywhere_in_b`` a match may start at any position of ``b`` (Sellers)."""
    previous2: list[int] = []
    previous = [0] * (len(b) + 1) if anywhere_in_b else list(range(len(b) + 1))
    for i in range(1, len(a) + 1):
        current = [i] + [0] * len(b)
        for j in range(1, len(b) + 1):
            cost = 0 if a[i - 1] == b[j - 1] else 1
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if i > 1 and j > 1 and a[i - 1] == b[j - 2] and a[i - 2] == b[j - 1]:
                current[j] = min(current[j], previous2[j - 2] + 1)
        previous2, previous = previous, current
    return previous


@lru_cache(maxsize=8192)
def _letters(text: str) -> Counter:
    return Counter(text)


def unmatched(a: str, b: str) -> int:
    """How many characters of ``a`` ``b`` lacks (counted with repeats): each edit supplies at
    most one, so no fewer edits turn ``a`` into ``b`` or into any part of ``b``. It costs a
    fraction of the alignment table it spares."""
    have = _letters(b)
    return sum(max(0, count - have.get(char, 0)) for char, count in _letters(a).items())


def edit_distance(a: str, b: str) -> int:
    """Optimal string alignment distance: insertions, deletions, substitutions, and swaps of
    two adjacent characters each count one."""
    return _distances(a, b, anywhere_in_b=False)[-1]


def substring_distance(needle: str, haystack: str) -> int:
    """The fewest such edits that turn ``needle`` into some part of ``haystack``."""
    return min(_distances(needle, haystack, anywhere_in_b=True))


def term_score(query: str, term: str) -> float:
    """How well normalized ``query`` matches normalized ``term``, 0 to 1."""
    if not query or not term:
        return 0.0
    if query == term:
        return EXACT
    if query in term:
        return CONTAINED + 0.05 * len(query) / len(term)
    if len(term) >= 2 and term in query:
        return 0.6 + 0.3 * len(term) / len(query)
    allowed = allowed_edits(len(query))
    if allowed == 0:
        return 0.0
    missing = unmatched(query, term)  # a lower bound of both distances below
    if abs(len(query) - len(term)) <= allowed and missing <= allowed:
        distance = edit_distance(query, term)
        if distance <= allowed:
            return 0.85 - 0.1 * distance
    part_allowed = allowed_part_edits(query)
    if (
        part_allowed
        and len(term) > len(query)
        and missing <= part_allowed
        and substring_distance(query, term) <= part_allowed
    ):
        return 0.7
    return 0.0


def score(query: str, terms: Iterable[str]) -> float:
    needle = normalize(query)
    return max((term_score(needle, normalize(t)) for t in terms), default=0.0)


def rank(
    query: str,
    items: Iterable[T],
    terms: Callable[[T], Iterable[str]],
    tie_break: Callable[[T], object] = id,
) -> list[tuple[float, T]]:
    """``(score, item)`` for the items matching ``query``, best first, ties by ``tie_break``."""
    scored = [(score(query, terms(item)), item) for item in items]
    matches = [(s, item) for s, item in scored if s >= THRESHOLD]
    return sorted(matches, key=lambda pair: (-pair[0], tie_break(pair[1])))
