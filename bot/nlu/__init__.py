"""Custom NLU components for the Rasa pipeline (bot/config.yml)."""
