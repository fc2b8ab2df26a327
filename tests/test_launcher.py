"""The launcher's banner names every address and how to talk to the bot."""

from launcher.__main__ import banner
from launcher.stack import Ports, Stack


def test_banner_renders_with_the_stack_addresses():
    stack = Stack(ports=Ports(api=5000, actions=5055, rasa=5005))
    text = banner(stack)
    assert "http://127.0.0.1:5000/api/v1/health" in text
    # The way that works: a session of the API's, whose /chat proves the conversation (the
    # REST channel is the API's alone).
    assert "http://127.0.0.1:5000/api/v1/chat/session" in text
    assert "webhooks/rest" not in text
    assert '"text": "我能做什么"' in text and '"text": "What can you do?"' in text
    assert "var/log/{api,actions,rasa,air-feed,outbox,transit-realtime}.log" in text
