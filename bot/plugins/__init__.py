"""Plugins Rasa loads by module path from bot/endpoints.yml: the tracker store, the NLG client."""
