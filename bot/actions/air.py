"""Air quality: the AQI, a pollutant, or advice for an activity, for a place or the city."""

from __future__ import annotations

from typing import Any, Dict, List, Text

from rasa_sdk import Tracker
from rasa_sdk.events import SlotSet
from rasa_sdk.executor import CollectingDispatcher

from .api_client import ApiRefused, CitizenApi
from .base import ApiAction, latest_entity, shared_location


class ActionAirQuality(ApiAction):
    """Answers from the current hourly report of the place asked about.

    The place is, in order: a district or station named now, a location shared now, the place
    of the previous air question, the city.
    """

    def name(self) -> Text:
        return "action_air_quality"

    def act(
        self,
        api: CitizenApi,
        dispatcher: CollectingDispatcher,
        tracker: Tracker,
        domain: Dict[Text, Any],
    ) -> List[Dict[Text, Any]]:
        district = latest_entity(tracker, "district")
        station = latest_entity(tracker, "station")
        location = None if district or station else shared_location(tracker)
        if not (district or station or location):
            district, station = tracker.get_slot("air_district"), tracker.get_slot("air_station")
        query: Dict[str, Any] = {"district": district, "station": station, **(location or {})}
        try:
            now = api.air_now({k: v for k, v in query.items() if v is not None})
        except ApiRefused:
            dispatcher.utter_message(response="utter_air_place_unknown")
            return []
        place = now["place"]
        report = now["report"]
        common = {
            "place_kind": place["kind"],
            "place_code": place["code"],
            "observed_at": now["hour_start"],
            "aqi": report["aqi"],
            "level": report["level"],
            "primary": [p["code"] for p in report["primary_pollutants"]],
            # Pollutants above IAQI 100, whose sensitive groups the reply names.
            "sensitive": [p["code"] for p in report["pollutants"] if (p["iaqi"] or 0) > 100],
        }
        pollutant = latest_entity(tracker, "pollutant")
        activity = latest_entity(tracker, "activity")
        reading = next((p for p in report["pollutants"] if p["code"] == pollutant), None)
        if pollutant and reading and reading["iaqi"] is not None:
            # A pollutant's own figures are published even when the AQI is not (2026 §5.3.1).
            response = (
                "utter_air_pollutant" if report["aqi"] is not None else "utter_air_pollutant_only"
            )
            dispatcher.utter_message(
                response=response,
                pollutant=pollutant,
                concentration=reading["concentration"],
                iaqi=reading["iaqi"],
                **common,
            )
        elif report["aqi"] is None:
            dispatcher.utter_message(response="utter_air_not_available", **common)
        elif activity:
            dispatcher.utter_message(response="utter_air_activity", activity=activity, **common)
        else:
            dispatcher.utter_message(response="utter_air_quality", **common)
        remembered = place["code"] if place["kind"] != "city" else None
        return [
            SlotSet("air_district", remembered if place["kind"] == "district" else None),
            SlotSet("air_station", remembered if place["kind"] == "station" else None),
        ]
