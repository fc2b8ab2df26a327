"""The action server's actions: thin steps that call the API and name a response.

``python -m rasa_sdk --actions bot.actions`` imports every module of this package.
"""
from citizen_privacy import install_log_masking

# Every log line of the action server masks ID-card and phone numbers.
install_log_masking()
