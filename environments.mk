# The two virtual environments, named once: the Makefile includes this file and
# launcher/environments.py reads it. The bot's needs Python 3.10 (Rasa 3.6 pins old packages).
API_VENV := .venv
BOT_VENV := .venv-bot
# The package both install (editable): what the API and the bot share.
COMMON_PACKAGE := packages/citizen_common
