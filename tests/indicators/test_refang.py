"""Refanging every common defanged form, with spans that point into the original text."""

from __future__ import annotations

import pytest

from contactpoint.indicators.refang import refang, refang_map


@pytest.mark.parametrize(
    ("defanged", "clean"),
    [
        ("hxxp://a.com", "http://a.com"),
        ("hxxps://a.com", "https://a.com"),
        ("hXXps://a.com", "https://a.com"),
        ("a[.]com", "a.com"),
        ("a(.)com", "a.com"),
        ("a{.}com", "a.com"),
        ("a[dot]com", "a.com"),
        ("a(dot)com", "a.com"),
        ("a dot com", "a.com"),
        ("user[at]a.com", "user@a.com"),
        ("user(at)a.com", "user@a.com"),
        ("hxxp[:]//a.com[/]x", "http://a.com/x"),
        ("a。com", "a.com"),
        ("a．com", "a.com"),
        ("a｡com", "a.com"),
        ("ｈｔｔｐｓ：／／ａ．ｃｏｍ", "https://a.com"),
        ("a[[.]]com", "a.com"),
    ],
)
def test_refangs(defanged: str, clean: str) -> None:
    assert refang(defanged) == clean
    assert refang(clean) == clean


def test_plain_prose_is_untouched() -> None:
    text = "He said (at last) that the dot was [red]; see [1] and (2)."
    assert refang(text) == text


def test_span_maps_back_to_original() -> None:
    text = "go to hxxps://evil[.]com(dot)ru now"
    rf = refang_map(text)
    start = rf.text.index("https")
    end = rf.text.index(" now")
    assert rf.text[start:end] == "https://evil.com.ru"
    s, e = rf.span(start, end)
    assert text[s:e] == "hxxps://evil[.]com(dot)ru"
    assert rf.defanged(start, end)
    assert not rf.defanged(0, 5)


def test_long_bracket_runs_are_fine() -> None:
    text = "[" * 30000 + "." + "]" * 30000
    assert refang(text) == "."
    assert refang("(" * 30000) == "(" * 30000
