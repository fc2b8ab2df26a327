"""privacy.mask_structure masks exactly what masking every string one by one masks,
and returns the structure itself when nothing is to be masked."""

from __future__ import annotations

import random

from citizen_common.privacy import _masked_copy, mask_structure

PIECES = [
    "13812345678",
    "1381234567",
    "440106199003070012",
    "44010619900307001X",
    "x",
    "X",
    "1",
    "9",
    " ",
    "\n",
    "?token=",
    "&sign=",
    "abc",
    "中",
    "=v",
    "-",
    "&",
]


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


# --- the spellings of personal numbers ------------------------------------------------------
FULL_WIDTH = str.maketrans("0123456789X", "０１２３４５６７８９Ｘ")


def spelled(number: str, rng: random.Random, groups: tuple[int, ...]) -> str:
    """``number`` as a person or a system might write it: grouped by spaces or hyphens, in
    full-width digits, or both."""
    gap = rng.choice(["", " ", "-", "\u3000"])
    parts, at = [], 0
    for size in groups:
        parts.append(number[at : at + size])
        at += size
    parts.append(number[at:])
    text = gap.join(p for p in parts if p)
    return text.translate(FULL_WIDTH) if rng.random() < 0.3 else text


def digits_of(text: str) -> str:
    plain = text.translate(str.maketrans("０１２３４５６７８９Ｘ", "0123456789X"))
    return "".join(c for c in plain if c.isdigit() or c == "X")


def random_phone(rng):
    return f"1{rng.choice('3456789')}" + "".join(rng.choice("0123456789") for _ in range(9))


def random_id_card(rng):
    from miniapp_api.identity import id_card_check_char

    body = (
        f"{rng.randint(11, 82)}{rng.randint(0, 9999):04d}{rng.randint(1930, 2020)}"
        f"{rng.randint(1, 12):02d}{rng.randint(1, 28):02d}{rng.randint(0, 999):03d}"
    )
    return body + id_card_check_char(body)


def random_bank_card(rng):
    return "62" + "".join(rng.choice("0123456789") for _ in range(rng.randint(14, 17)))


CONTEXTS = [
    "{}",
    "我的电话是{}",
    "sfz{}",
    "tel:{}!",
    "ID {} thanks",
    "卡号：{}。",
    "({})",
    "号码{}，谢谢",
    "call me at {} or later",
    "{}\nnext line",
]


def test_every_spelling_of_a_phone_id_or_bank_number_is_masked():
    """A property over generated numbers: whatever the spelling and the text around it, the
    number's digits no longer stand together in the masked text."""
    rng = random.Random(20261201)
    from citizen_common.privacy import mask_text

    for _ in range(3000):
        kind = rng.choice(["phone", "phone+86", "id", "id15", "bank"])
        if kind.startswith("phone"):
            number = random_phone(rng)
            text = spelled(number, rng, (3, 4))
            if kind == "phone+86":
                text = rng.choice(["+86 ", "+86", "0086", "86-", "＋８６ "]) + text
        elif kind == "id":
            number = random_id_card(rng)
            text = spelled(number, rng, rng.choice([(6, 8), (4, 4, 4, 4), (18,)]))
            if rng.random() < 0.3:
                text = text.lower()
        elif kind == "id15":
            number = random_id_card(rng)[:6] + f"{rng.randint(30, 99)}0101" + "123"
            text = spelled(number, rng, (6, 6))
        else:
            number = random_bank_card(rng)
            text = spelled(number, rng, (4, 4, 4, 4))
        sentence = rng.choice(CONTEXTS).format(text)
        masked = mask_text(sentence)
        assert number not in digits_of(masked), (sentence, masked)
        # At most the first four and the last four digits are left.
        assert masked.count("*") >= len(number) - 8, (sentence, masked)


def test_what_is_no_personal_number_is_left_alone():
    from citizen_common.privacy import mask_text

    for text in [
        "2026-12-01 13:00",
        "1381234567",
        "GZ2026-7M6E-TZWF-057",
        "55路 3 站",
        "AQI 100",
        "trip 1764000000123",
        "12 点 30 分",
    ]:
        assert mask_text(text) == text


def test_tracebacks_in_logs_are_masked(caplog):
    import logging

    from citizen_common.privacy import install_log_masking

    install_log_masking()
    try:
        raise ValueError("bad phone 138 0013 8000 for id 44010619900307123X")
    except ValueError:
        logging.getLogger("tests.privacy").exception("failed")
    text = caplog.text
    assert "ValueError" in text and "138****8000" in text
    assert "0013" not in text and "19900307" not in text
