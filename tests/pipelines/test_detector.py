"""FastDetector gives langdetect's own answer, to the last bit, on every kind of text."""

from __future__ import annotations

import json
from pathlib import Path

import langdetect
import pytest
from langdetect.lang_detect_exception import LangDetectException

from pantau.pipelines import detector
from pantau.pipelines.language import MAX_CHARS

FILES = Path(__file__).resolve().parent.parent / "files"
LABELLED = [json.loads(line) for line in (FILES / "topics" / "labelled.jsonl").read_text().splitlines()]
ODD = [
    "The United States is concerned that North Korea plans to send more weapons to Russia.",
    "Президент России Владимир Путин встретился с лидером КНДР Ким Чен Ыном во Владивостоке.",
    "Путин встретился с Kim Jong Un (KCNA) во Владивостоке, сообщает Reuters.",  # Latin dropped
    "北朝鮮の金正恩総書記はロシアのプーチン大統領とウラジオストクで会談した。",
    "조선민주주의인민공화국 김정은 위원장이 러시아를 방문했다 Kim Jong Un ke Rusia",
    "التقى الرئيس الروسي فلاديمير بوتين بزعيم كوريا الشمالية كيم جونغ أون",
    "Tổng thống Nga Putin gặp lãnh đạo Triều Tiên Kim Jong-un tại Vladivostok.",
    "KOREA UTARA DAN RUSIA MENANDATANGANI PERJANJIAN PERTAHANAN DI PYONGYANG HARI INI",
    "Baca juga:   https://news.detik.com/x/d-123/y  kirim ke redaksi@detik.com   Rusia  dan  Korut",
    "Rudal KN-23 (Hwasong-11) ditembakkan ke Kharkiv; 2024 — «sumber» ¿qué? naïve café",
    "a b c d e f g h i j k l m n o p q r s t u v w x y z A B C D E F G H I J",
]


def stock(text: str) -> list[tuple[str, float]]:
    return [(found.lang, found.prob) for found in langdetect.detect_langs(text)]


def ours(text: str) -> list[tuple[str, float]]:
    return [(found.lang, found.prob) for found in detector.detect_langs(text)]


def samples() -> list[str]:
    texts = [f"{story['title']}\n{story['text']}" for story in LABELLED] + ODD
    # as language.py samples (the first MAX_CHARS), and cut elsewhere, mid-word included
    return [
        text[start : start + size] for text in texts for start in (0, 7) for size in (60, MAX_CHARS, 3000)
    ]


@pytest.mark.parametrize("text", samples())
def test_same_languages_and_probabilities_as_langdetect(text):
    assert ours(text) == stock(text)  # floats compared exactly: not one bit differs


def test_repeated_words_use_the_cache_and_still_agree():
    text = " ".join(story["text"] for story in LABELLED)
    assert ours(text[:MAX_CHARS]) == stock(text[:MAX_CHARS])
    assert ours(text[:MAX_CHARS]) == stock(text[:MAX_CHARS])


@pytest.mark.parametrize("text", ["", "12345 67890", "!!! ??? ...", "https://example.com/a/b"])
def test_no_features_raises_as_langdetect_does(text):
    with pytest.raises(LangDetectException):
        langdetect.detect_langs(text)
    with pytest.raises(LangDetectException):
        detector.detect_langs(text)
