"""Delivering the notification outbox: each message reaches its receiver exactly once.

A row is *claimed* with a lease (a conditional update, so two workers never take the same row),
handed to the sender with its id as the idempotency key, then marked sent. A worker stopped
between sending and marking leaves the row to be retried when the lease ends; the sender skips
ids it has already delivered, so the receiver sees every message once.
"""

from __future__ import annotations

import json
import logging
import os
from datetime import timedelta
from pathlib import Path
from typing import Protocol

from sqlalchemy import or_, select, update

from ..db import db, utcnow
from .models import Notification

logger = logging.getLogger(__name__)


class Sender(Protocol):
    def send(self, notification_id: int, payload: dict) -> None:
        """Deliver; must be idempotent for the same ``notification_id``."""


class LogSender:
    """Development: writes each message to the log (masked like every log line)."""

    def __init__(self) -> None:
        self.sent: set[int] = set()

    def send(self, notification_id: int, payload: dict) -> None:
        if notification_id not in self.sent:
            logger.info(
                "notification %s: %s", notification_id, json.dumps(payload, ensure_ascii=False)
            )
            self.sent.add(notification_id)


class JsonLinesSender:
    """Appends each message to a file, one JSON line, skipping ids already in the file."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.delivered = {json.loads(line)["id"] for line in self._lines()}

    def _lines(self) -> list[str]:
        if not self.path.exists():
            return []
        return [line for line in self.path.read_text(encoding="utf-8").splitlines() if line]

    def send(self, notification_id: int, payload: dict) -> None:
        if notification_id in self.delivered:
            return
        with open(self.path, "a", encoding="utf-8") as handle:
            handle.write(
                json.dumps({"id": notification_id, "payload": payload}, ensure_ascii=False) + "\n"
            )
            handle.flush()
            os.fsync(handle.fileno())
        self.delivered.add(notification_id)


def sender_from_spec(spec: str) -> Sender:
    """``log`` or ``jsonl:PATH``."""
    if spec == "log":
        return LogSender()
    if spec.startswith("jsonl:"):
        return JsonLinesSender(spec.removeprefix("jsonl:"))
    raise ValueError(f"unknown sender {spec!r}")


def _claim(notification_id: int, lease: timedelta) -> bool:
    now = utcnow()
    claimed = db.session.execute(
        update(Notification)
        .where(
            Notification.id == notification_id,
            Notification.status == "pending",
            or_(Notification.lease_until.is_(None), Notification.lease_until < now),
        )
        .values(lease_until=now + lease, attempts=Notification.attempts + 1)
        .execution_options(synchronize_session=False)
    )
    db.session.commit()
    return claimed.rowcount == 1


def deliver_batch(
    sender: Sender, batch_size: int = 50, lease: timedelta = timedelta(seconds=60)
) -> int:
    """Deliver up to ``batch_size`` due messages; returns how many were sent."""
    now = utcnow()
    candidates = db.session.scalars(
        select(Notification.id)
        .where(
            Notification.status == "pending",
            or_(Notification.lease_until.is_(None), Notification.lease_until < now),
        )
        .order_by(Notification.id)
        .limit(batch_size)
    ).all()
    sent = 0
    for notification_id in candidates:
        if not _claim(notification_id, lease):
            continue  # another worker has it
        notification = db.session.get(Notification, notification_id)
        try:
            sender.send(notification.id, notification.payload)
        except Exception:  # the receiver failed: keep the row, retry after the lease
            logger.exception("notification %s not delivered", notification_id)
            db.session.rollback()
            continue
        notification.status, notification.sent_at = "sent", utcnow()
        db.session.commit()
        sent += 1
    return sent
