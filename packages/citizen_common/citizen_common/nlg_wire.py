"""Rasa's NLG calls as the two sides agree on them: the bot's NLG client (``bot.plugins.nlg``)
and the API's NLG endpoint (``miniapp_api.nlg``) read the same arguments and the same reply key.
"""

from __future__ import annotations

from typing import Any

# In an NLG reply: for how many seconds Rasa may say the same message to anyone whose
# conversation is in the same locale without asking the API again (the API marks the messages
# that are the same for everyone of a locale; the bot's NLG client removes the key).
NLG_REUSABLE_KEY = "reusable_seconds"
# What rasa-sdk's ``utter_message`` sends with every response, empty unless an action fills it.
_EMPTY = (None, "", [], {})


def given_arguments(arguments: dict[str, Any]) -> dict[str, Any]:
    """The arguments of an NLG call that carry something: rasa-sdk sends ``text``, ``buttons``,
    ``image`` … with every response, empty unless the action filled them, and ``template``,
    the response's name again (its old name for ``response``)."""
    return {
        name: value
        for name, value in arguments.items()
        if name != "template" and not any(value is empty or value == empty for empty in _EMPTY)
    }
