"""Demo data for one demo city, loaded idempotently by ``flask seed``.

The data (fictional residents) lives in ``seed_data/``; each service package adds its own loader
here as it lands.
"""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import func, select

from .citizens.models import Citizen
from .citizens.service import citizen_for_identity, parse_sender_id
from .db import db

SEED_DATA = Path(__file__).parent / "seed_data"


def _load(name: str) -> list[dict]:
    return json.loads((SEED_DATA / name).read_text(encoding="utf-8"))


def seed_citizens() -> int:
    for entry in _load("citizens.json"):
        citizen = citizen_for_identity(*parse_sender_id(entry["identity"]))
        for field in ("display_name", "phone", "locale"):
            setattr(citizen, field, entry[field])
        citizen.role = entry.get("role", "citizen")
    db.session.commit()
    return db.session.scalar(select(func.count()).select_from(Citizen))


def seed_demo_data(people: bool = True) -> dict[str, int]:
    """The demo city; ``people=False`` (the production profile) leaves out its residents, its
    operator and their applications: no account anyone could know exists in production."""
    from .air.service import seed_air
    from .applications.seed import seed_applications
    from .appointments.seed import seed_appointments
    from .transit.seed import seed_transit

    citizens = {"citizens": seed_citizens()} if people else {}
    return {
        **citizens,
        **seed_air(),
        **seed_applications(people),
        **seed_appointments(),
        **seed_transit(),
    }
