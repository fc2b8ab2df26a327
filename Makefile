# Citizen Assistant: `make run` starts everything, `make test` tests everything.
# Every step below is a file target, so a second run only redoes what changed.

SHELL := /bin/bash
export RASA_TELEMETRY_ENABLED := false
export PIP_DISABLE_PIP_VERSION_CHECK := 1
export PYTHONPATH := $(CURDIR)
export FLASK_APP := miniapp_api

include environments.mk
VENV      := $(API_VENV)
API_PY    := $(VENV)/bin/python
BOT_PY    := $(BOT_VENV)/bin/python
MODEL     := bot/models/citizen.tar.gz
# zh_Hant's catalog is built from zh_CN's (scripts/traditional_catalog.py), never edited.
TRADITIONAL := locales/zh_Hant/LC_MESSAGES/messages.po
LOCALES   := $(sort $(wildcard locales/*/LC_MESSAGES/messages.po) $(TRADITIONAL))
CATALOGS  := $(LOCALES:.po=.mo)
# Everything the trained model depends on: retrain when (and only when) one of these changes.
# (bot/actions/words.yml holds the colloquial words every message is normalised with.)
TRAIN_INPUTS := bot/config.yml bot/actions/words.yml $(shell find bot/domain bot/data intents bot/nlu -type f \( -name '*.yml' -o -name '*.py' -o -name '*.txt' \) 2>/dev/null)

.PHONY: run test test-packages lint setup db train locales extract-messages configuration-doc clean help replay soak
.DEFAULT_GOAL := help

help:
	@echo "make run    set up everything and start the API, action server and Rasa server"
	@echo "            PROFILE=scale: on PostgreSQL and Redis with several workers each"
	@echo "make test   set up everything and run every test"
	@echo "make soak   the reliability tests at RELIABILITY_SCALE (default 10) times their counts"
	@echo "make replay FILE=calls.jsonl [OUT=dir] [COMPARE=old/report.json] [CONCURRENCY=4]"
	@echo "            replay hotline transcripts; report in var/replay/<timestamp>/"

setup: $(VENV)/.installed $(BOT_VENV)/.installed $(CATALOGS) db $(MODEL)

# PROFILE=scale: PostgreSQL and Redis, several workers of each server (launcher/profiles.py).
PROFILE   ?= default

run: setup
	@$(API_PY) -m launcher --profile $(PROFILE)

test: setup lint test-packages
	@$(API_PY) -m pytest

# The system packages a test needs (nginx for the scale profile's test), installed, not skipped.
test-packages:
	@scripts/system-packages.sh nginx-light

# Ruff (pyproject.toml): lint, and the code as `ruff format` writes it.
lint: $(VENV)/.installed
	@$(VENV)/bin/ruff check --quiet . && $(VENV)/bin/ruff format --check --quiet .

# The reliability tests of `make test` (fuzzing, hostile input, faults, database restarts,
# abuse, access, privacy) with RELIABILITY_SCALE times their counts and a fresh fuzzing seed.
SOAK_TESTS := tests/api/test_fuzz.py tests/api/test_database_restart.py tests/api/test_abuse.py \
  tests/api/test_access.py tests/api/test_privacy_at_rest.py tests/e2e/test_hostile_input.py \
  tests/e2e/test_faults.py tests/e2e/test_chat_access.py tests/e2e/test_privacy_scenario.py
soak: setup
	@RELIABILITY_SCALE=$${RELIABILITY_SCALE:-10} FUZZ_SEED=$${FUZZ_SEED:-$$RANDOM} \
	  $(API_PY) -m pytest -s $(SOAK_TESTS)

# Hotline replay: starts the API and the action server on free ports, replays FILE in-process
# (the model loaded by the replay), writes report.json and report.html, stops them.
replay: setup
	@[ -n "$(FILE)" ] || { echo "usage: make replay FILE=calls.jsonl [OUT=dir] [COMPARE=old/report.json]"; exit 2; }
	@$(BOT_PY) -m bot.replay "$(FILE)" --start-stack --model $(MODEL) \
	  $(if $(OUT),--out "$(OUT)") $(if $(COMPARE),--compare "$(COMPARE)") \
	  $(if $(CONCURRENCY),--concurrency $(CONCURRENCY))

# --- environments -------------------------------------------------------------------------
$(VENV)/.installed: requirements.txt requirements-test.txt $(COMMON_PACKAGE)/pyproject.toml scripts/find-python310.sh
	@py=$$(scripts/find-python310.sh) || exit 1; \
	 echo "==> creating $(VENV) with $$py"; \
	 [ -x $(API_PY) ] || $$py -m venv $(VENV)
	@$(API_PY) -m pip install -qq --upgrade pip
	@$(API_PY) -m pip install -qq -r requirements-test.txt
	@$(API_PY) -m pip install -qq -e $(COMMON_PACKAGE)
	@touch $@

$(BOT_VENV)/.installed: bot/requirements.txt bot/constraints.txt $(COMMON_PACKAGE)/pyproject.toml scripts/find-python310.sh
	@py=$$(scripts/find-python310.sh) || exit 1; \
	 echo "==> creating $(BOT_VENV) with $$py (Rasa 3.6.21; this takes a few minutes the first time)"; \
	 [ -x $(BOT_PY) ] || $$py -m venv $(BOT_VENV)
	@$(BOT_PY) -m pip install -qq --upgrade 'pip<24' wheel
	@cd bot && ../$(BOT_PY) -m pip install -qq -r requirements.txt
	@$(BOT_PY) -m pip install -qq -e $(COMMON_PACKAGE)
	@touch $@

# --- locales ------------------------------------------------------------------------------
locales/%/LC_MESSAGES/messages.mo: locales/%/LC_MESSAGES/messages.po $(VENV)/.installed
	@$(VENV)/bin/pybabel compile -d locales -D messages -l $* --statistics
	@touch $@

$(TRADITIONAL): locales/zh_CN/LC_MESSAGES/messages.po locales/zh_Hant/reviewed.po scripts/traditional_catalog.py $(VENV)/.installed
	@$(API_PY) scripts/traditional_catalog.py

locales: $(CATALOGS)

# Developers: after adding a message id in code or a response in bot/domain.
extract-messages: $(VENV)/.installed
	$(VENV)/bin/pybabel extract -F locales/babel.cfg -o locales/messages.pot --no-location --sort-output \
	  --ignore-dirs='.* _* venv* tests bot bench' .
	@for locale in zh_CN en; do \
	  $(VENV)/bin/pybabel update -i locales/messages.pot -d locales -D messages -l $$locale --no-fuzzy-matching; \
	done

# Developers: after adding or changing a setting (the settings classes describe every variable).
configuration-doc: $(VENV)/.installed
	$(API_PY) -m scripts.configuration_doc

# --- database -----------------------------------------------------------------------------
db: $(VENV)/.installed $(CATALOGS)
	@$(VENV)/bin/flask db-upgrade
	@$(VENV)/bin/flask seed

# --- model --------------------------------------------------------------------------------
train: $(MODEL)

$(MODEL): $(BOT_VENV)/.installed $(TRAIN_INPUTS)
	@echo "==> training the Rasa model (inputs changed)"
	@$(BOT_VENV)/bin/rasa train --quiet --config bot/config.yml --domain bot/domain \
	  --data intents bot/data --out bot/models --fixed-model-name citizen
	@touch $@

clean:
	rm -rf $(VENV) $(BOT_VENV) bot/models var .pytest_cache locales/*/LC_MESSAGES/*.mo
