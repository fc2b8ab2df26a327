"""Reading hotline transcripts: JSON Lines (one call a line) or CSV (one turn a row).

A bad line or row never stops the reading: it is kept as a ``BadLine`` with its line number
and reason, and the report lists it.
"""

from __future__ import annotations

import csv
import json
import re
from dataclasses import asdict, dataclass, field
from pathlib import Path

MAX_TURN_CHARS = 2000  # longer caller turns are truncated (with a note) before replaying
ROLES = ("caller", "agent")
_UNSAFE = re.compile(r"[^A-Za-z0-9_\-.+@=]")
SENDER_PREFIX = "hotline:"


@dataclass
class Turn:
    role: str
    text: str
    intent: str | None = None
    service: str | None = None
    truncated_from: int | None = None  # original length when the text was truncated


@dataclass
class Call:
    call_id: str
    caller: str
    started_at: str
    turns: list[Turn]
    line: int
    resolved_by_agent: bool | None = None
    service: str | None = None  # the call's purpose (see _call)

    @property
    def caller_turns(self) -> list[Turn]:
        return [turn for turn in self.turns if turn.role == "caller"]

    @property
    def sender_id(self) -> str:
        return sender_id(self.caller, self.call_id)


@dataclass
class BadLine:
    line: int
    reason: str
    call_id: str | None = None


@dataclass
class Transcripts:
    path: str
    calls: list[Call] = field(default_factory=list)
    bad_lines: list[BadLine] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


def sender_id(caller: str, call_id: str) -> str:
    """``hotline:<caller>-<call_id>``, every character outside the API's identity alphabet
    (``[A-Za-z0-9_-.+@=]``) replaced by ``_``, the external id cut to 128 characters.

    One conversation per call: two calls of the same number never share a tracker.
    """
    external = _UNSAFE.sub("_", f"{caller}-{call_id}")[:128]
    return SENDER_PREFIX + external


def read(path: str | Path, max_turn_chars: int = MAX_TURN_CHARS) -> Transcripts:
    path = Path(path)
    if path.suffix.lower() == ".csv":
        result = _read_csv(path, max_turn_chars)
    else:
        result = _read_jsonl(path, max_turn_chars)
    seen: dict[str, int] = {}
    kept = []
    for call in result.calls:
        if call.call_id in seen:
            result.bad_lines.append(
                BadLine(
                    call.line,
                    f"duplicate call_id (first on line {seen[call.call_id]})",
                    call.call_id,
                )
            )
            continue
        seen[call.call_id] = call.line
        kept.append(call)
    result.calls = kept
    result.bad_lines.sort(key=lambda bad: bad.line)
    return result


def _read_jsonl(path: Path, max_turn_chars: int) -> Transcripts:
    result = Transcripts(str(path))
    with open(path, encoding="utf-8", errors="replace") as handle:
        for number, raw in enumerate(handle, start=1):
            if not raw.strip():
                continue
            try:
                record = json.loads(raw)
            except json.JSONDecodeError as error:
                result.bad_lines.append(
                    BadLine(number, f"invalid JSON: {error.msg} (column {error.colno})")
                )
                continue
            if isinstance(record, dict) and set(record) <= {"_comment"}:
                continue  # a comment line
            try:
                call = _call(record, number, max_turn_chars, result.notes)
            except ValueError as error:
                call_id = record.get("call_id") if isinstance(record, dict) else None
                result.bad_lines.append(
                    BadLine(number, str(error), call_id if isinstance(call_id, str) else None)
                )
                continue
            result.calls.append(call)
    return result


def _read_csv(path: Path, max_turn_chars: int) -> Transcripts:
    result = Transcripts(str(path))
    grouped: dict[str, dict] = {}
    with open(path, encoding="utf-8-sig", errors="replace", newline="") as handle:
        reader = csv.DictReader(handle)
        missing = {"call_id", "caller", "started_at", "role", "text"} - set(reader.fieldnames or [])
        if missing:
            result.bad_lines.append(BadLine(1, f"missing columns: {', '.join(sorted(missing))}"))
            return result
        for row in reader:
            number = reader.line_num
            call_id = (row.get("call_id") or "").strip()
            if not call_id:
                result.bad_lines.append(BadLine(number, "missing field: call_id"))
                continue
            record = grouped.setdefault(
                call_id,
                {
                    "call_id": call_id,
                    "caller": row.get("caller"),
                    "started_at": row.get("started_at"),
                    "turns": [],
                    "_line": number,
                    "_bad": [],
                },
            )
            role, text = (row.get("role") or "").strip(), row.get("text")
            if role not in ROLES or text is None or not text.strip():
                result.bad_lines.append(
                    BadLine(
                        number,
                        "bad turn row: role must be caller or agent and text non-empty",
                        call_id,
                    )
                )
                continue
            record["turns"].append(
                {
                    "role": role,
                    "text": text,
                    "intent": (row.get("intent") or "").strip() or None,
                    "service": (row.get("service") or "").strip() or None,
                }
            )
    for record in grouped.values():
        line = record.pop("_line")
        record.pop("_bad")
        try:
            result.calls.append(_call(record, line, max_turn_chars, result.notes))
        except ValueError as error:
            result.bad_lines.append(BadLine(line, str(error), record["call_id"]))
    return result


def _call(record, line: int, max_turn_chars: int, notes: list[str]) -> Call:
    if not isinstance(record, dict):
        raise ValueError(f"not a JSON object but {type(record).__name__}")
    missing = [
        name
        for name in ("call_id", "caller", "started_at", "turns")
        if record.get(name) in (None, "")
    ]
    if missing:
        raise ValueError(f"missing field: {', '.join(missing)}")
    for name in ("call_id", "caller", "started_at"):
        if not isinstance(record[name], (str, int)) or isinstance(record[name], bool):
            raise ValueError(f"{name} must be a string")
    if not isinstance(record["turns"], list):
        raise ValueError("turns must be a list")
    if not record["turns"]:
        raise ValueError("empty turns")
    turns = []
    for index, raw in enumerate(record["turns"], start=1):
        if not isinstance(raw, dict):
            raise ValueError(f"turn {index}: not an object")
        role, text = raw.get("role"), raw.get("text")
        if role not in ROLES:
            raise ValueError(f"turn {index}: role must be 'caller' or 'agent', not {role!r}"[:200])
        if not isinstance(text, str):
            raise ValueError(f"turn {index}: text must be a string, not {type(text).__name__}")
        if not text.strip():
            raise ValueError(f"turn {index}: empty text")
        for name in ("intent", "service"):
            if raw.get(name) is not None and not isinstance(raw.get(name), str):
                raise ValueError(f"turn {index}: {name} must be a string")
        turn = Turn(role, text, raw.get("intent") or None, raw.get("service") or None)
        if role == "caller" and len(text) > max_turn_chars:
            turn.truncated_from = len(text)
            turn.text = text[:max_turn_chars]
            notes.append(
                f"line {line}, turn {index}: {len(text)} characters truncated to {max_turn_chars}"
            )
        turns.append(turn)
    if not any(turn.role == "caller" for turn in turns):
        raise ValueError("no caller turn")
    resolved = record.get("resolved_by_agent")
    call = Call(
        str(record["call_id"]),
        str(record["caller"]),
        str(record["started_at"]),
        turns,
        line,
        resolved if isinstance(resolved, bool) else None,
    )
    # The call's service is its purpose: the first caller turn's service other than small
    # talk ("chat"), else the first service given.
    services = [t.service for t in call.caller_turns if t.service]
    call.service = next((s for s in services if s != "chat"), services[0] if services else None)
    return call


def as_dict(obj) -> dict:
    return asdict(obj)
