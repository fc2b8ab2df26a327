"""Hotline transcript replay: ``python -m bot.replay FILE`` (see the README's "Hotline replay")."""
