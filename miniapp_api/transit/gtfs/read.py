"""Reading GTFS files (a zip or a folder) and recording what is wrong with them.

Problems carry a stable code (``missing_field``, ``invalid_time`` …), the file, the line and the
value, so a rejected feed comes back with a report an operator can act on. Problems are errors
(the feed is rejected) unless recorded as warnings.
"""

from __future__ import annotations

import csv
import hashlib
import io
import zipfile
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Iterator

MAX_LISTED = 100  # problems listed in a report; all are counted


@dataclass
class Problem:
    file: str
    line: int | None
    field: str | None
    problem: str
    value: str | None = None

    def as_dict(self) -> dict:
        return {
            "file": self.file,
            "line": self.line,
            "field": self.field,
            "problem": self.problem,
            "value": self.value,
        }


@dataclass
class FeedReport:
    errors: list[Problem] = field(default_factory=list)
    warnings: list[Problem] = field(default_factory=list)
    error_count: int = 0
    warning_count: int = 0
    counts: dict[str, int] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return self.error_count == 0

    def error(
        self,
        file: str,
        line: int | None,
        field_name: str | None,
        problem: str,
        value: object = None,
    ) -> None:
        self.error_count += 1
        _listed(self.errors, Problem(file, line, field_name, problem, _shown(value)))

    def warn(
        self,
        file: str,
        line: int | None,
        field_name: str | None,
        problem: str,
        value: object = None,
    ) -> None:
        self.warning_count += 1
        _listed(self.warnings, Problem(file, line, field_name, problem, _shown(value)))

    def as_dict(self) -> dict:
        return {
            "ok": self.ok,
            "error_count": self.error_count,
            "warning_count": self.warning_count,
            "counts": self.counts,
            "errors": [p.as_dict() for p in self.errors],
            "warnings": [p.as_dict() for p in self.warnings],
        }


def _shown(value: object) -> str | None:
    """The offending value as a report shows it (at most 200 characters)."""
    return None if value is None else str(value)[:200]


def _listed(problems: list, problem: Problem) -> None:
    """Every problem is counted; the first ``MAX_LISTED`` of each kind are listed."""
    if len(problems) < MAX_LISTED:
        problems.append(problem)


class FeedSource:
    """The files of a feed, from a .zip (files at its root or in one folder) or a folder."""

    def __init__(self, path: Path) -> None:
        self.path = path
        self._zip: zipfile.ZipFile | None = None
        self._names: dict[str, str] = {}
        if path.is_dir():
            self._names = {p.name: str(p) for p in path.iterdir() if p.suffix == ".txt"}
        else:
            self._zip = zipfile.ZipFile(path)
            for info in self._zip.infolist():
                name = info.filename.rsplit("/", 1)[-1]
                if name.endswith(".txt") and not info.is_dir():
                    self._names.setdefault(name, info.filename)

    def has(self, name: str) -> bool:
        return name in self._names

    def text(self, name: str) -> io.TextIOBase:
        if self._zip is not None:
            raw = self._zip.open(self._names[name])
            return io.TextIOWrapper(raw, encoding="utf-8-sig", newline="")
        return open(self._names[name], encoding="utf-8-sig", newline="")

    def sha256(self) -> str:
        digest = hashlib.sha256()
        if self._zip is not None:
            with open(self.path, "rb") as handle:
                for block in iter(lambda: handle.read(1 << 20), b""):
                    digest.update(block)
            return digest.hexdigest()
        for name in sorted(self._names):
            digest.update(name.encode())
            digest.update(Path(self._names[name]).read_bytes())
        return digest.hexdigest()

    def close(self) -> None:
        if self._zip is not None:
            self._zip.close()


class Table:
    """One GTFS file: ``columns`` maps a field name to its index; rows are lists."""

    def __init__(self, name: str, source: FeedSource) -> None:
        self.name = name
        self._handle = source.text(name)
        self._reader = csv.reader(self._handle)
        header = next(self._reader, [])
        self.columns = {column.strip(): i for i, column in enumerate(header)}

    def index(self, name: str) -> int | None:
        return self.columns.get(name)

    def rows(self) -> Iterator[tuple[int, list[str]]]:
        """(line number, values) for every non-empty row; the header is line 1."""
        width = len(self.columns)
        for line, row in enumerate(self._reader, start=2):
            if not row or (len(row) == 1 and not row[0].strip()):
                continue
            if len(row) < width:
                row = row + [""] * (width - len(row))
            yield line, row
        self._handle.close()


def cell(row: list[str], index: int | None) -> str:
    return row[index].strip() if index is not None else ""


def parse_time(text: str) -> int | None:
    """GTFS time ``H:MM:SS`` (hours may pass 24) to seconds; ``None`` when malformed."""
    parts = text.split(":")
    if len(parts) != 3:
        return None
    try:
        hours, minutes, seconds = int(parts[0]), int(parts[1]), int(parts[2])
    except ValueError:
        return None
    if hours < 0 or not 0 <= minutes < 60 or not 0 <= seconds < 60 or len(parts[1]) != 2:
        return None
    return hours * 3600 + minutes * 60 + seconds


def format_time(seconds: int) -> str:
    return f"{seconds // 3600:02d}:{seconds % 3600 // 60:02d}:{seconds % 60:02d}"


def parse_date(text: str) -> date | None:
    if len(text) != 8 or not text.isdigit():
        return None
    try:
        return date(int(text[:4]), int(text[4:6]), int(text[6:]))
    except ValueError:
        return None


def parse_int(text: str) -> int | None:
    try:
        return int(text)
    except ValueError:
        return None


def parse_float(text: str) -> float | None:
    try:
        value = float(text)
    except ValueError:
        return None
    return value if value == value and value not in (float("inf"), float("-inf")) else None
