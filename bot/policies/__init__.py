"""The project's dialogue policies for the Rasa model (bot/config.yml)."""
