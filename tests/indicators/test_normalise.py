"""What the search box does with what an analyst types: defanged, upper-case, spaced input
finds the same normal form that extraction stores."""

from __future__ import annotations

import pytest

from contactpoint.indicators.extract import extract
from contactpoint.indicators.normalise import normalise


@pytest.mark.parametrize(
    ("type_", "typed", "stored"),
    [
        ("domain", "PayPa1-Secure[.]NET", "paypa1-secure.net"),
        ("domain", "xn--e1afmkfd.xn--p1ai", "пример.рф"),
        ("url", "hxxps://Evil[.]COM", "https://evil.com/"),
        ("email", "Scam(at)Mail(dot)RU", "scam@mail.ru"),
        ("ipv4", "8[.]8[.]8[.]8", "8.8.8.8"),
        ("ipv6", "[2001:0DB8::0001]", "2001:db8::1"),
        ("iban", "de89 3704 0044 0532 0130 00", "DE89370400440532013000"),
        ("phone", "+33 6 12 34 56 78", "+33612345678"),
        ("md5", "D41D8CD98F00B204E9800998ECF8427E", "d41d8cd98f00b204e9800998ecf8427e"),
        ("messenger", "telegram:@Scam_Support", "telegram:scam_support"),
        ("onion", "www.duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion",
         "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"),
    ],
)  # fmt: skip
def test_typed_value_matches_stored_form(type_: str, typed: str, stored: str) -> None:
    assert normalise(type_, typed) == stored


def test_national_phone_uses_country_hint() -> None:
    assert normalise("phone", "06 12 34 56 78", country_hint="fr") == "+33612345678"


def test_extracted_values_are_already_normal() -> None:
    text = (
        "hxxps://Evil-Shop[.]com/Login, Scam(at)Mail(dot)RU, 8.8.8.8, "
        "DE89 3704 0044 0532 0130 00, +33 6 12 34 56 78"
    )
    for ind in extract(text):
        assert normalise(ind.type, ind.value) == ind.value
