"""Every message id the code builds from data, so that extraction and tests see them all.

Ids written literally as ``_("...")`` are found by pybabel itself; ids made from data (error
kinds, services, bot responses, languages) are listed here and fed to pybabel by ``extract``.
"""

from __future__ import annotations

from typing import Iterator

BUTTON_IDS = ("button.help", "button.handoff")


def all_message_ids() -> list[str]:
    from .air.aqi import MESSAGE_IDS as AQI_MESSAGE_IDS
    from .air.reply_arguments import message_ids as air_message_ids
    from .applications.reply_arguments import message_ids as application_message_ids
    from .appointments.presenter import message_ids as appointment_label_ids
    from .appointments.reply_arguments import message_ids as booking_message_ids
    from .directory import SERVICES
    from .errors import ERRORS
    from .handoff.reply_arguments import message_ids as handoff_message_ids
    from .i18n import SUPPORTED_LOCALES
    from .replies import RESPONSES
    from .transit.reply_arguments import message_ids as bus_message_ids
    from .trust.phone_codes import SMS_MESSAGE_ID
    from .webchat import message_ids as webchat_message_ids

    ids: list[str] = [kind.message_id for kind in ERRORS.values()]
    for service in SERVICES:
        ids += [service.title_id, service.summary_id, service.example_id]
    ids += [f"language.{code}" for code in SUPPORTED_LOCALES]
    ids += list(BUTTON_IDS)
    ids += list(RESPONSES)
    ids += list(AQI_MESSAGE_IDS) + air_message_ids() + application_message_ids()
    ids += handoff_message_ids() + webchat_message_ids() + booking_message_ids()
    ids += bus_message_ids()
    ids += appointment_label_ids()
    ids.append(SMS_MESSAGE_ID)
    return sorted(set(ids))


def extract(fileobj, keywords, comment_tags, options) -> Iterator[tuple[int, str, str, list]]:
    """A pybabel extraction method (see ``locales/babel.cfg``)."""
    for message_id in all_message_ids():
        yield 0, "_", message_id, []
