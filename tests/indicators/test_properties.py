"""Hypothesis properties: refang/normalise idempotent; extract never raises, keeps spans inside
the text, and never lets a full card number out."""

from __future__ import annotations

import re

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from contactpoint.indicators.cards import redact
from contactpoint.indicators.extract import extract
from contactpoint.indicators.normalise import normalise
from contactpoint.indicators.refang import refang
from contactpoint.indicators.types import CORE_TYPES

# Pieces that make the interesting cases likely: defanged forms, separators, IOC shapes.
TOKENS = [
    "[.]",
    "(.)",
    "{.}",
    "[dot]",
    "(dot)",
    " dot ",
    "[at]",
    "(at)",
    "[:]",
    "[/]",
    "。",
    "．",
    "｡",
    "ｅ",
    "Ｘ",
    "hxxp",
    "hxxps",
    "://",
    "http",
    ".",
    "@",
    ":",
    "/",
    "-",
    " ",
    "+",
    "0x",
    "bc1",
    "t.me/",
    "wa.me/",
    "www.",
    ".com",
    ".onion",
    "com",
    "dot",
    "at",
    "[",
    "]",
    "(",
    ")",
    "DE89",
    "4111",
    "1111",
    " 1111",
    "-1111",
    "0",
    "1",
    "4",
    "9",
    "a",
    "f",
    "Z",
    "é",
    "п",
    "α",
    "中",
    "ك",
    "٤",
    "４",
    "\u00a0",
    "\n",
    "#",
    "€",
    "v",
    "version ",
    "@x",
    "telegram ",
]
texts = st.one_of(
    st.text(max_size=200),
    st.lists(st.sampled_from(TOKENS), max_size=60).map("".join),
    st.lists(st.one_of(st.sampled_from(TOKENS), st.text(max_size=3)), max_size=40).map("".join),
)
card_digits = st.builds(
    lambda body: body + str(_luhn_digit(body)),
    st.text(alphabet="0123456789", min_size=12, max_size=18).filter(lambda s: s[0] != "0"),
)

# The test's own definition of a card-shaped run (see cards.py): 13-19 digits, optionally
# grouped by single spaces/hyphens, not glued to a digit or a Latin/Greek/Cyrillic letter, not
# after "+" or "wa.me/", first digit not zero, Luhn-valid.
GLUE = r"0-9A-Za-z\u00c0-\u024f\u0370-\u052f_"
RUN = re.compile(
    rf"(?<![{GLUE}])(?<!\d)(?<!\+)(?<!\+ )(?<!\d[ \-])"
    rf"\d(?:[ \-]?\d){{12,18}}(?![ \-]?\d)(?![{GLUE}])"
)


def _luhn_digit(body: str) -> int:
    total = 0
    for i, c in enumerate(reversed(body)):
        d = int(c)
        if i % 2 == 0:
            d *= 2
            if d > 9:
                d -= 9
        total += d
    return (10 - total % 10) % 10


def _luhn(digits: str) -> bool:
    return _luhn_digit(digits[:-1]) == int(digits[-1])


def card_numbers(text: str) -> set[str]:
    out = set()
    for m in RUN.finditer(text):
        if (
            "wa.me/" in text[max(0, m.start() - 6) : m.start()]
            or "phone=" in text[max(0, m.start() - 6) : m.start()]
        ):
            continue
        digits = "".join(str(int(c)) for c in m.group() if c.isdigit())
        if digits[0] != "0" and _luhn(digits):
            out.add(digits)
    return out


FAST = settings(max_examples=300, deadline=None, suppress_health_check=[HealthCheck.too_slow])


@FAST
@given(texts)
def test_refang_is_idempotent(text: str) -> None:
    once = refang(text)
    assert refang(once) == once


@FAST
@given(st.sampled_from(CORE_TYPES), texts)
def test_normalise_is_idempotent(type_: str, text: str) -> None:
    once = normalise(type_, text)
    assert normalise(type_, once) == once


@FAST
@given(texts, st.sampled_from([None, "DE", "FR", "GR", "US", "xx"]))
def test_extract_never_raises_and_spans_are_inside(text: str, country: str | None) -> None:
    inds = extract(text, country_hint=country)
    for ind in inds:
        assert 0 <= ind.start < ind.end <= len(text)
        assert ind.value


@FAST
@given(texts, card_digits, st.sampled_from(["", " ", "-"]), texts)
def test_no_full_card_number_in_any_output(before: str, number: str, sep: str, after: str) -> None:
    grouped = sep.join(number[i : i + 4] for i in range(0, len(number), 4))
    text = f"{before} {grouped} {after}"
    inds = extract(text, country_hint="DE")
    blob = repr(inds) + "".join(repr(i.extra) + i.value for i in inds)
    flat = re.sub(r"\D", "", blob)
    for digits in card_numbers(text):
        assert digits not in blob
        assert digits not in flat or digits in re.sub(r"\D", "", text.replace(grouped, ""))
        assert digits not in re.sub(r"[ \-]", "", redact(text))


@FAST
@given(texts)
def test_redact_never_raises_and_keeps_text_without_cards(text: str) -> None:
    out = redact(text)
    if not card_numbers(text):
        assert out == text
