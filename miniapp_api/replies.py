"""The bot's responses by name: which message renders each, and which buttons it carries.

Rasa names a response (``utter_help``); the NLG endpoint renders it here in the conversation's
locale. A response's text is the message with the response's own name as its id, so the catalogs
in ``locales/`` hold every sentence; buttons are built from data where the data exists.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from typing import Any, Callable

from citizen_common.script import to_traditional

from .air.reply_arguments import air_arguments
from .applications.reply_arguments import application_arguments
from .appointments import reply_arguments as booking
from .directory import SERVICES
from .handoff.reply_arguments import handoff_arguments
from .i18n import SUPPORTED_LOCALES, TRADITIONAL_LOCALE, join_list, translate
from .transit import reply_arguments as buses

ButtonMaker = Callable[[str, dict], list[dict]]
# Arguments derived at render time from the action's arguments and the locale.
ArgumentMaker = Callable[[dict, str], dict]


def _service_titles(arguments: dict, locale: str) -> dict:
    return {"services": join_list((translate(s.title_id, locale) for s in SERVICES), locale)}


def _service_buttons(locale: str, arguments: dict) -> list[dict]:
    """One button per service; its payload is an example phrase, so NLU routes it."""
    return [
        {"title": translate(s.title_id, locale), "payload": translate(s.example_id, locale)}
        for s in SERVICES
        if s.code != "hotline"
    ]


def _language_buttons(locale: str, arguments: dict) -> list[dict]:
    return [
        {
            "title": translate(f"language.{code}", locale),
            "payload": "/switch_language" + json.dumps({"language": code}),
        }
        for code in SUPPORTED_LOCALES
    ]


def _help_button(locale: str, arguments: dict) -> list[dict]:
    return [{"title": translate("button.help", locale), "payload": "/help"}]


def _handoff_button(locale: str, arguments: dict) -> list[dict]:
    return [{"title": translate("button.handoff", locale), "payload": "/handoff"}]


# Makers that read nothing but the locale.
LOCALE_ONLY: frozenset = frozenset(
    {_service_titles, _service_buttons, _language_buttons, _help_button, _handoff_button}
)


@dataclass(frozen=True)
class Response:
    buttons: ButtonMaker | None = None
    # Arguments computed from data at render time (the citizen's own come from the bot).
    data_arguments: ArgumentMaker | None = None
    # Arguments the message needs; the NLG endpoint refuses a call without them.
    required: tuple[str, ...] = field(default=())

    @property
    def same_for_everyone(self) -> bool:
        """Called without arguments, the same message for everyone who speaks the locale: its
        catalogue text and parts made from the locale alone (no records, no data)."""
        return not self.required and all(
            maker is None or maker in LOCALE_ONLY for maker in (self.buttons, self.data_arguments)
        )


RESPONSES: dict[str, Response] = {
    "utter_greet": Response(),
    "utter_greet_named": Response(required=("name",)),
    "utter_goodbye": Response(),
    "utter_thanks": Response(),
    "utter_help": Response(buttons=_service_buttons, data_arguments=_service_titles),
    "utter_ask_language": Response(buttons=_language_buttons),
    "utter_language_switched": Response(),
    # Out of scope: what the assistant can do instead, one button a service.
    "utter_out_of_scope": Response(buttons=_service_buttons, data_arguments=_service_titles),
    # A city problem reported: what the 12345 hotline does with it, and a person offered.
    "utter_report_problem": Response(buttons=_handoff_button),
    "utter_default": Response(buttons=_help_button),
    "utter_service_unavailable": Response(),
    # A guest asked for something personal: sign in first (citizen_common.identity).
    "utter_sign_in_required": Response(),
    # A hotline caller's step-up inside the call (bot/actions/verification.py).
    "utter_hotline_verify_ask_last4": Response(),
    "utter_hotline_verify_ask_code": Response(),
    "utter_hotline_verified": Response(),
    "utter_hotline_verify_failed": Response(),
    # Said by Rasa's own actions: "/restart" (a fresh start) and "/back" (the last turn undone).
    "utter_restart": Response(buttons=_help_button),
    "utter_back": Response(),
    # Air quality: the action sends codes, air_arguments names them.
    "utter_air_quality": Response(
        data_arguments=air_arguments, required=("aqi", "level", "place_kind")
    ),
    "utter_air_pollutant": Response(
        data_arguments=air_arguments, required=("aqi", "level", "pollutant", "place_kind")
    ),
    "utter_air_pollutant_only": Response(
        data_arguments=air_arguments, required=("pollutant", "iaqi", "place_kind")
    ),
    "utter_air_activity": Response(
        data_arguments=air_arguments, required=("aqi", "level", "activity", "place_kind")
    ),
    "utter_air_not_available": Response(data_arguments=air_arguments, required=("place_kind",)),
    "utter_air_place_unknown": Response(),
    # Applications: the action sends codes and figures, application_arguments words them.
    "utter_application_status": Response(
        data_arguments=application_arguments, required=("number", "item_code", "state")
    ),
    "utter_application_list": Response(
        data_arguments=application_arguments, required=("applications",)
    ),
    "utter_ask_application_number": Response(),
    "utter_ask_id_last4": Response(),
    "utter_application_not_found": Response(),
    "utter_item_materials": Response(data_arguments=application_arguments, required=("item_code",)),
    "utter_how_to_apply": Response(data_arguments=application_arguments, required=("item_code",)),
    "utter_ask_service_item": Response(),
    # Handoff: the ticket number, grouped for reading out to the 12345 hotline.
    "utter_handoff_created": Response(data_arguments=handoff_arguments, required=("number",)),
    # Appointments: the actions send ids and codes, booking_arguments names them.
    "utter_ask_hospital_id": Response(
        buttons=booking.hospital_buttons, data_arguments=booking.booking_arguments
    ),
    "utter_ask_department_id": Response(
        buttons=booking.department_buttons,
        data_arguments=booking.booking_arguments,
        required=("hospital_id",),
    ),
    "utter_ask_appointment_date": Response(
        buttons=booking.date_buttons, data_arguments=booking.booking_arguments
    ),
    "utter_ask_period": Response(
        buttons=booking.period_buttons,
        data_arguments=booking.booking_arguments,
        required=("appointment_date",),
    ),
    "utter_ask_doctor_id": Response(
        buttons=booking.doctor_buttons,
        data_arguments=booking.booking_arguments,
        required=("department_id", "appointment_date", "period"),
    ),
    "utter_ask_patient_id": Response(buttons=booking.patient_buttons),
    "utter_ask_patient_name": Response(),
    "utter_ask_patient_id_card": Response(),
    "utter_ask_patient_phone": Response(),
    "utter_ask_booking_confirmed": Response(
        buttons=booking.confirm_buttons,
        data_arguments=booking.booking_arguments,
        required=("slot_id", "patient_id"),
    ),
    "utter_patient_invalid": Response(
        data_arguments=booking.booking_arguments, required=("field",)
    ),
    "utter_booking_not_found": Response(
        data_arguments=booking.booking_arguments, required=("kind", "query")
    ),
    "utter_booking_date_too_early": Response(
        data_arguments=booking.booking_arguments, required=("date",)
    ),
    "utter_no_slots": Response(
        data_arguments=booking.booking_arguments, required=("date", "period")
    ),
    "utter_booking_stopped": Response(),
    "utter_booking_refused": Response(
        data_arguments=booking.booking_arguments, required=("errcode",)
    ),
    "utter_appointment_booked": Response(
        data_arguments=booking.booking_arguments, required=("appointment_id",)
    ),
    "utter_appointment_list": Response(
        data_arguments=booking.booking_arguments, required=("appointment_ids",)
    ),
    "utter_no_appointments": Response(),
    "utter_ask_which_appointment": Response(
        buttons=booking.appointment_buttons, required=("appointment_ids",)
    ),
    "utter_ask_which_appointment_to_reschedule": Response(
        buttons=booking.reschedule_buttons, required=("appointment_ids",)
    ),
    "utter_appointment_cancelled": Response(
        data_arguments=booking.booking_arguments, required=("appointment_id",)
    ),
    "utter_appointment_rescheduled": Response(
        data_arguments=booking.booking_arguments, required=("appointment_id",)
    ),
    "utter_ask_reschedule_to": Response(
        data_arguments=booking.booking_arguments, required=("appointment_id",)
    ),
    "utter_reschedule_unavailable": Response(
        data_arguments=booking.booking_arguments, required=("appointment_id", "date", "period")
    ),
    # Buses: stops and routes by their GTFS ids, named from the feed in the locale.
    "utter_bus_arrivals": Response(
        data_arguments=buses.transit_arguments, required=("stop_id", "arrivals")
    ),
    "utter_ask_which_stop": Response(buttons=buses.stop_buttons, required=("stop_ids",)),
    "utter_stop_unknown": Response(required=("query",)),
    "utter_ask_stop": Response(),
    "utter_ask_location": Response(),
    "utter_no_stops_nearby": Response(),
    "utter_nearby_stops": Response(
        buttons=buses.stop_buttons, data_arguments=buses.transit_arguments, required=("stops",)
    ),
    "utter_routes_to": Response(
        data_arguments=buses.transit_arguments, required=("place", "route_ids")
    ),
    "utter_route_stops": Response(data_arguments=buses.transit_arguments, required=("route_id",)),
    "utter_route_unknown": Response(required=("route",)),
    "utter_ask_destination": Response(),
    # "算了" instead of the answer to a bus question.
    "utter_transit_dropped": Response(),
}


class UnknownResponse(KeyError):
    pass


class MissingArguments(ValueError):
    pass


def same_for_everyone(name: str, arguments: dict[str, Any]) -> bool:
    """Whether rendering ``name`` with ``arguments`` gives everyone of a locale one message."""
    response = RESPONSES.get(name)
    return response is not None and not arguments and response.same_for_everyone


def render(name: str, arguments: dict[str, Any], locale: str) -> dict:
    """``{"text": ..., "buttons": [...]}`` for the response ``name`` in ``locale``."""
    response = RESPONSES.get(name)
    if response is None:
        raise UnknownResponse(name)
    missing = [a for a in response.required if arguments.get(a) in (None, "")]
    if missing:
        raise MissingArguments(missing)
    if response.data_arguments:
        arguments = {**arguments, **response.data_arguments(arguments, locale)}
    try:
        message: dict[str, Any] = {"text": translate(name, locale, **arguments)}
    except KeyError as missing:  # an argument data could not supply (an unknown code)
        raise MissingArguments([missing.args[0]]) from None
    if response.buttons:
        message["buttons"] = response.buttons(locale, arguments)
        if locale == TRADITIONAL_LOCALE:
            for button in message["buttons"]:
                if isinstance(button.get("title"), str):
                    button["title"] = to_traditional(button["title"])
    return message
