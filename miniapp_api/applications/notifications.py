"""Status-change messages, shaped like a WeChat mini-program subscription message.

The payload is a snapshot taken when the state changes, so a later change never rewrites what an
earlier message said. ``touser`` is the citizen's WeChat openid when they have one.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from ..config import city_zone
from ..i18n import translate

if TYPE_CHECKING:
    from .models import Application

TEMPLATE_ID = "application-status"  # the template configured on the WeChat platform
MESSAGE_LOCALE = "zh_CN"  # subscription templates are registered in one language
THING_LIMIT = 20  # WeChat caps "thing" values at 20 characters


def _clip(text: str, limit: int = THING_LIMIT) -> str:
    return text if len(text) <= limit else text[: limit - 1] + "…"


def status_message(application: "Application") -> dict:
    from sqlalchemy import select

    from ..citizens.models import ChannelIdentity
    from ..db import db

    openid = db.session.scalar(
        select(ChannelIdentity.external_id).where(
            ChannelIdentity.citizen_id == application.citizen_id,
            ChannelIdentity.channel == "wechat",
        )
    )
    event = application.events[-1]
    note = event.reason or event.note or ", ".join(event.materials or []) or ""
    return {
        "touser": openid,
        "template_id": TEMPLATE_ID,
        "page": f"pages/applications/detail?number={application.number}",
        "lang": MESSAGE_LOCALE,
        "data": {
            "character_string1": {"value": application.number},
            "thing2": {"value": _clip(application.item.name_zh)},
            "phrase3": {
                "value": _clip(
                    translate(f"application.state.{application.state}", MESSAGE_LOCALE), 5
                )
            },
            "time4": {"value": event.at.astimezone(city_zone()).strftime("%Y-%m-%d %H:%M")},
            "thing5": {"value": _clip(note) if note else "-"},
        },
    }
