"""Writes the traditional-script catalog, ``locales/zh_Hant/LC_MESSAGES/messages.po``, from the
simplified one with OpenCC (``s2hk``: the characters Guangzhou, Hong Kong and Macau read), then
the texts a person reviewed over it (``locales/zh_Hant/reviewed.po``: where the conversion reads
badly, or where traditional-script readers say it otherwise).

    python scripts/traditional_catalog.py        (``make`` runs it when either file changes)

The catalog is built, never edited: zh_CN stays the one place each sentence is written, and the
build writes this one again whenever zh_CN or the reviews change. Placeholders (``{date}``) are
ASCII, which OpenCC leaves as they are.
"""

from __future__ import annotations

import sys
from pathlib import Path

import opencc
from babel.messages.catalog import Catalog
from babel.messages.pofile import read_po, write_po

LOCALES = Path(__file__).resolve().parent.parent / "locales"
SIMPLIFIED = LOCALES / "zh_CN" / "LC_MESSAGES" / "messages.po"
REVIEWED = LOCALES / "zh_Hant" / "reviewed.po"
TRADITIONAL = LOCALES / "zh_Hant" / "LC_MESSAGES" / "messages.po"
LOCALE = "zh_Hant"


def read(path: Path, locale: str) -> Catalog:
    with path.open("rb") as file:
        return read_po(file, locale=locale)


def traditional_catalog() -> Catalog:
    convert = opencc.OpenCC("s2hk").convert
    simplified = read(SIMPLIFIED, "zh_CN")
    reviewed = read(REVIEWED, LOCALE)
    unknown = sorted(m.id for m in reviewed if m.id and m.id not in simplified)
    if unknown:
        sys.exit(f"{REVIEWED}: reviewed messages that zh_CN does not have: {unknown}")
    catalog = Catalog(locale=LOCALE, project=simplified.project, charset="utf-8", fuzzy=False)
    for message in simplified:
        if not message.id:
            continue
        if message.id in reviewed and reviewed[message.id].string:
            text = reviewed[message.id].string
        elif isinstance(message.string, tuple):
            text = tuple(convert(s) for s in message.string)
        else:
            text = convert(message.string or "")
        catalog.add(message.id, text, flags=message.flags - {"fuzzy"})
    return catalog


def main() -> None:
    TRADITIONAL.parent.mkdir(parents=True, exist_ok=True)
    with TRADITIONAL.open("wb") as file:
        write_po(file, traditional_catalog(), omit_header=False, sort_output=True, width=100)


if __name__ == "__main__":
    main()
