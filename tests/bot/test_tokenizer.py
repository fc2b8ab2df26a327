"""The jieba tokenizer drops the whitespace tokens Rasa's own keeps in mixed text."""

import ast

import pytest

from .conftest import BOT_BIN, probe_record, run_in_bot_env

pytestmark = pytest.mark.bot
TEXTS = ["我想坐 bus 55 路", "hi 你好  在吗", "switch to 中文 please"]


@pytest.fixture(scope="module")
def tokenized():
    return probe_record("tokenize_probe.py", *TEXTS)


def test_mixed_text_has_no_whitespace_tokens(tokenized):
    ours = tokenized["我想坐 bus 55 路"]["ours"]
    assert [text for text, _, _ in ours] == ["我", "想", "坐", "bus", "55", "路"]
    for text in TEXTS:
        assert all(token.strip() for token, _, _ in tokenized[text]["ours"]), text


def test_offsets_still_point_into_the_text(tokenized):
    for text in TEXTS:
        for token, start, end in tokenized[text]["ours"]:
            assert text[start:end] == token


def test_rasa_jieba_tokenizer_keeps_whitespace(tokenized):
    """Why the custom tokenizer exists: the stock one emits " " tokens here."""
    assert any(not token.strip() for token, _, _ in tokenized["我想坐 bus 55 路"]["rasa"])


def our_tokens(text_expression: str) -> list[tuple[str, int, int]]:
    """Our tokenizer's tokens of the text a Python expression makes, in the bot environment."""
    script = (
        "from bot.nlu.tokenizer import CleanJiebaTokenizer as T;"
        "from rasa.shared.nlu.training_data.message import Message;"
        "t = T(T.get_default_config(), None, None);"
        f"tokens = t.tokenize(Message({{'text': {text_expression}}}), 'text');"
        "print(ascii([(k.text, k.start, k.end) for k in tokens]))"
    )
    result = run_in_bot_env([str(BOT_BIN / "python"), "-c", script])
    assert result.returncode == 0, result.stderr[-2000:]
    return ast.literal_eval(result.stdout.strip().splitlines()[-1])  # printed by ascii()


def test_lone_surrogates_become_replacement_characters_in_place():
    """JSON may carry "\\ud800", which no encoder takes (the CRF's C library fails on it)."""
    tokens = our_tokens("'x\\udfff 55\\ud800路'")
    assert "".join(text for text, _, _ in tokens) == "x\ufffd55\ufffd路"
    assert [(start, end) for _, start, end in tokens][-1] == (6, 7)
    for text, _, _ in tokens:
        text.encode("utf-8")


def test_a_huge_message_is_understood_from_its_beginning_only():
    """A 20,000-character paste must not become a 10,000-token sequence: the tokenizer keeps
    the first tokens only."""
    tokens = our_tokens("'挂号 ' * 10000")
    assert 100 <= len(tokens) <= 200 and tokens[0][0] == "挂号"  # bot/nlu/tokenizer.py caps it
