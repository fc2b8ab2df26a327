"""Rasa-side storage plugins, named by module path in bot/endpoints.yml."""
