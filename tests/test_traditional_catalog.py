"""The zh_Hant catalog is built from zh_CN's (scripts/traditional_catalog.py): every message,
the same placeholders, in traditional script, with the reviewed texts over the conversion."""

from __future__ import annotations

import re
import sys
from pathlib import Path

import pytest
from babel.messages.pofile import read_po
from citizen_common.script import chinese_script

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT / "scripts"))

import traditional_catalog  # noqa: E402

PLACEHOLDER = re.compile(r"\{[a-z_]+\}")


@pytest.fixture(scope="module")
def built():
    return traditional_catalog.traditional_catalog()


def texts(catalog) -> dict[str, str]:
    return {m.id: m.string for m in catalog if m.id}


def test_every_message_in_traditional_script_with_the_same_placeholders(built):
    simplified = texts(traditional_catalog.read(traditional_catalog.SIMPLIFIED, "zh_CN"))
    traditional = texts(built)
    assert set(traditional) == set(simplified)
    for message_id, text in traditional.items():
        assert sorted(PLACEHOLDER.findall(text)) == sorted(
            PLACEHOLDER.findall(simplified[message_id])
        ), message_id
        assert chinese_script(text) != "simplified", (message_id, text)
    assert traditional["utter_ask_stop"].startswith("您在哪個站等車？")


def test_reviewed_texts_are_written_over_the_conversion(built):
    reviewed = texts(traditional_catalog.read(traditional_catalog.REVIEWED, "zh_Hant"))
    assert reviewed
    for message_id, text in reviewed.items():
        assert texts(built)[message_id] == text


def test_the_build_writes_the_catalog_make_compiles():
    with traditional_catalog.TRADITIONAL.open("rb") as file:
        on_disk = texts(read_po(file, locale="zh_Hant"))
    assert on_disk == texts(traditional_catalog.traditional_catalog())
