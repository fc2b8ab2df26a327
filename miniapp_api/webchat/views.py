"""The page and its messages."""

from __future__ import annotations

from flask import Blueprint, render_template

from ..i18n import SUPPORTED_LOCALES, current_locale, translate

bp = Blueprint(
    "webchat",
    __name__,
    template_folder="templates",
    static_folder="static",
    static_url_path="/webchat/static",
)

# Every text of the page, by message id; the script reads them from the page by short name.
PAGE_MESSAGE_IDS = (
    "webchat.title",
    "webchat.conversation",
    "webchat.input_label",
    "webchat.placeholder",
    "webchat.send",
    "webchat.share_location",
    "webchat.location_shared",
    "webchat.location_failed",
    "webchat.switch_language",
    "webchat.switch_language_label",
    "webchat.you",
    "webchat.assistant",
    "webchat.sending",
    "webchat.network_error",
    "webchat.suggestions",
    "webchat.quick_help",
    "webchat.quick_handoff",
    "webchat.welcome",
    "webchat.noscript",
    "webchat.options",
    "webchat.handed_over",
)


def message_ids() -> list[str]:
    return list(PAGE_MESSAGE_IDS)


def page_messages(locale: str) -> dict[str, str]:
    return {mid.removeprefix("webchat."): translate(mid, locale) for mid in PAGE_MESSAGE_IDS}


@bp.get("/")
def index():
    """The chat page, in the negotiated locale (``?lang=``, ``Accept-Language``)."""
    locale = current_locale()
    messages = {code: page_messages(code) for code in SUPPORTED_LOCALES}
    return render_template(
        "webchat/index.html",
        locale=locale,
        html_lang=_html_lang(locale),
        t=messages[locale],
        messages=messages,
    )


def _html_lang(locale: str) -> str:
    return locale.replace("_", "-")
