"""The action server's actions: thin steps that call the API and name a response.

``python -m rasa_sdk --actions bot.actions`` imports every module of this package.
"""
