"""citizen_privacy.mask_structure masks exactly what masking every string one by one masks,
and returns the structure itself when nothing is to be masked."""
from __future__ import annotations

import random

from citizen_privacy import _masked_copy, mask_structure

PIECES = ["13812345678", "1381234567", "440106199003070012", "44010619900307001X", "x", "X",
          "1", "9", " ", "\n", "?token=", "&sign=", "abc", "中", "=v", "-", "&"]


def random_structure(rng: random.Random, depth: int = 0):
    kind = rng.random()
    if depth < 3 and kind < 0.25:
        return {f"k{i}": random_structure(rng, depth + 1) for i in range(rng.randint(0, 4))}
    if depth < 3 and kind < 0.45:
        return [random_structure(rng, depth + 1) for _ in range(rng.randint(0, 4))]
    if kind < 0.55:
        return rng.choice([None, 3, 2.5, True, 13812345678])
    return "".join(rng.choice(PIECES) for _ in range(rng.randint(0, 4)))


def test_the_same_masking_as_string_by_string():
    rng = random.Random(11643)
    masked_somewhere = 0
    for _ in range(5000):
        value = random_structure(rng)
        expected = _masked_copy(value)
        assert mask_structure(value) == expected, value
        masked_somewhere += expected != value
    assert masked_somewhere > 500  # the cases where something is masked were tried too


def test_strings_side_by_side_are_not_joined_into_a_number():
    value = {"a": "1381234", "b": "5678", "c": ["44010619900307", "0012"], "d": "?token", "e": "=x"}
    assert mask_structure(value) is value


def test_nothing_to_mask_returns_the_structure_itself():
    value = {"text": "hello", "entities": [{"value": "55"}], "n": 13812345678}
    assert mask_structure(value) is value
    assert mask_structure({"text": "call 13812345678"}) == {"text": "call 138****5678"}
