"""The web chat page, served at ``/``: plain HTML, CSS and JavaScript, nothing from elsewhere.

The page talks to the API's chat endpoints (same origin, so its CSP allows ``'self'`` alone):
a web visitor gets a session of their own (``POST /api/v1/chat/session``), kept in
``localStorage`` so the conversation survives a reload. Every text on the page is a message id
translated in ``locales/``; both languages are rendered into the page so it switches at once.
"""

from .views import PAGE_MESSAGE_IDS, bp, message_ids

__all__ = ["PAGE_MESSAGE_IDS", "bp", "message_ids"]
