"""Hotline transcript replay: ``python -m bot.replay FILE`` (see docs/operations.md, "Hotline replay")."""
