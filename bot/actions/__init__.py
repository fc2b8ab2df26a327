"""The action server's actions: thin steps that call the API and name a response.

``python -m rasa_sdk --actions bot.actions`` imports every module of this package.
"""

from citizen_common.privacy import install_log_masking

# Every log line of the action server masks ID-card and phone numbers.
install_log_masking()

# A bad setting stops the action server as it starts, naming the variable, instead of failing
# each action later. Only checked here: the actions read them when first needed (settings()).
from citizen_common.settings import load as _load  # noqa: E402

from .settings import Settings as _Settings  # noqa: E402

_load(_Settings)
