"""Messages as the models read them (bot/nlu/normalise.py): traditional script made simplified,
Cantonese words made Mandarin, each original position mapped to its new one."""

from __future__ import annotations

import pytest
from citizen_common.script import chinese_script, to_simplified, to_traditional

from bot.nlu.normalise import normalise, normalise_example


@pytest.mark.parametrize(
    "text, expected",
    [
        ("我想掛明天協和醫院皮膚科的號", "我想挂明天协和医院皮肤科的号"),
        ("幾點有車", "几点有车"),
        ("外面空氣點呀", "外面空气怎么样"),
        ("聽日我想睇醫生", "明天我想看医生"),
        ("下一班55路幾時到珠江新城呀，唔該", "下一班55路什么时候到珠江新城呀，谢谢"),
        ("係唔係要排隊", "是不是要排队"),
        ("冇問題，多謝晒", "没有问题，谢谢"),
        ("嗰個站", "那个站"),
        # Cantonese written in simplified script reads the same.
        ("听日下昼有冇号", "明天下午有没有号"),
        # Mandarin words a shorter entry would spoil are kept.
        ("快一點呀", "快一点呀"),
        ("几点呀", "几点呀"),
        ("系统坏了", "系统坏了"),
        ("仲恺路站", "仲恺路站"),
        ("hello, bus 55 when", "hello, bus 55 when"),
        ("", ""),
    ],
)
def test_normalised_text(text, expected):
    assert normalise(text).text == expected


def test_every_original_boundary_maps_into_the_new_text():
    text = "聽日我想睇醫生，冇問題"
    normalised = normalise(text)
    assert len(normalised.boundaries) == len(text) + 1
    assert normalised.boundaries[0] == 0 and normalised.boundaries[-1] == len(normalised.text)
    assert list(normalised.boundaries) == sorted(normalised.boundaries)
    # 醫生 (original 5..7) is 医生 in the new text.
    start, end = normalised.span(5, 7)
    assert normalised.text[start:end] == "医生"


def test_a_lone_surrogate_is_read_as_a_replacement_character():
    assert to_simplified("x\udfff掛號") == "x\ufffd挂号"
    assert chinese_script("x\udfff掛號") == "traditional"
    assert to_traditional("x\udfff挂号") == "x\ufffd掛號"


def test_traditional_script_keeps_its_length():
    text = "乾燥的頭髮，後來發現"
    assert len(to_simplified(text)) == len(text)
    assert to_simplified("no han here") == "no han here"


def test_a_training_examples_entities_move_with_the_text():
    text = "聽日天河客運站幾時有車去[x]"
    entities = [
        {"entity": "stop", "start": 2, "end": 7, "value": "天河客運站"},
        {"entity": "district", "start": 2, "end": 4, "value": "tianhe"},
    ]
    new_text = normalise_example(text, entities)
    assert new_text == "明天天河客运站什么时候有车去[x]"
    stop, district = entities
    assert new_text[stop["start"] : stop["end"]] == "天河客运站"
    # A value that was the entity's own words follows them; a canonical value is kept.
    assert stop["value"] == "天河客运站"
    assert district["value"] == "tianhe"
