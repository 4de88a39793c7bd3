"""What an analyst gets out of a victim's text: types, normalised values, exact spans, flags."""

from __future__ import annotations

import pytest

from contactpoint.indicators.extract import extract
from contactpoint.indicators.types import Indicator


def found(text: str, **kw: object) -> set[tuple[str, str]]:
    return {(i.type, i.value) for i in extract(text, **kw)}  # type: ignore[arg-type]


def by_type(text: str, type_: str, **kw: object) -> list[Indicator]:
    return [i for i in extract(text, **kw) if i.type == type_]  # type: ignore[arg-type]


def test_issue_example_iban_and_defanged_site() -> None:
    text = (
        "he told me to pay to DE89 3704 0044 0532 0130 00 and the site was "
        "hxxps://paypa1-secure[.]net"
    )
    inds = extract(text)
    got = {(i.type, i.value) for i in inds}
    assert ("iban", "DE89370400440532013000") in got
    assert ("domain", "paypa1-secure.net") in got
    assert ("url", "https://paypa1-secure.net/") in got
    iban = next(i for i in inds if i.type == "iban")
    assert text[iban.start : iban.end] == "DE89 3704 0044 0532 0130 00"
    assert iban.extra["bic"] == "COBADEFFXXX" and iban.extra["bank"] == "Commerzbank"
    domain = next(i for i in inds if i.type == "domain")
    assert text[domain.start : domain.end] == "paypa1-secure[.]net"
    assert "defanged" in domain.flags


def test_iban_with_bad_checksum_is_ignored() -> None:
    assert not by_type("pay DE89 3704 0044 0532 0130 01 now", "iban")


@pytest.mark.parametrize(
    ("text", "value", "original"),
    [
        ("visit evil[.]com today", "evil.com", "evil[.]com"),
        ("visit evil(.)com today", "evil.com", "evil(.)com"),
        ("visit evil{.}com today", "evil.com", "evil{.}com"),
        ("visit evil[dot]com today", "evil.com", "evil[dot]com"),
        ("visit evil(dot)com today", "evil.com", "evil(dot)com"),
        ("visit evil dot com today", "evil.com", "evil dot com"),
        ("visit evil。com today", "evil.com", "evil。com"),
        ("visit evil．com today", "evil.com", "evil．com"),
        ("visit ｅｖｉｌ．ｃｏｍ today", "evil.com", "ｅｖｉｌ．ｃｏｍ"),
    ],
)
def test_defanged_domains_refang_and_span_points_at_what_was_written(
    text: str, value: str, original: str
) -> None:
    (d,) = by_type(text, "domain")
    assert d.value == value
    assert text[d.start : d.end] == original
    assert "defanged" in d.flags


def test_defanged_url_and_email() -> None:
    text = "link hxxp[:]//bad[.]example[/]login and mail scam[at]bad-bank(dot)ru"
    got = found(text)
    # a URL stays a URL, but .example is no public suffix, so it yields no domain
    assert ("url", "http://bad.example/login") in got
    assert not any(t == "domain" for t, _ in got)
    text = "link hxxp[:]//bad-bank[.]com[/]login and mail scam[at]bad-bank(dot)ru"
    got = found(text)
    assert ("url", "http://bad-bank.com/login") in got
    assert ("email", "scam@bad-bank.ru") in got


@pytest.mark.parametrize(
    "text",
    [
        "see invoice.pdf and script.py and readme.md",
        "version 1.2.3.4 is out",
        "on 12.05.2024 at 10:30",
        "total 1.250,00 EUR or 1,234.56 USD",
        "Order #4839201938 shipped",
        "ASP.NET and Node.js, e.g. this",
        "I paid.Then nothing",
    ],
)
def test_negatives_yield_nothing(text: str) -> None:
    assert extract(text, country_hint="DE") == []


def test_file_name_inside_url_is_part_of_the_url() -> None:
    got = found("download https://files.example.org/invoice.pdf now")
    assert ("url", "https://files.example.org/invoice.pdf") in got
    assert ("domain", "files.example.org") in got
    assert not any(t == "domain" and v == "invoice.pdf" for t, v in got)


def test_ips_with_ports_brackets_and_flags() -> None:
    text = "c2 at 8.8.8.8:53, lan 192.168.1.10, v6 [2001:4860::8888]:443 and fe80::1."
    inds = extract(text)
    ips = {i.value: i for i in inds if i.type in ("ipv4", "ipv6")}
    assert ips["8.8.8.8"].extra == {"port": 53} and not ips["8.8.8.8"].flags
    assert "private" in ips["192.168.1.10"].flags
    assert ips["2001:4860::8888"].extra == {"port": 443}
    assert (
        text[ips["2001:4860::8888"].start : ips["2001:4860::8888"].end] == "[2001:4860::8888]:443"
    )
    assert "reserved" in ips["fe80::1"].flags


def test_phone_international_and_national_with_country_hint() -> None:
    text = "call +33 6 12 34 56 78 or 06 12 34 56 78"
    assert [i.value for i in by_type(text, "phone", country_hint="FR")] == [
        "+33612345678",
        "+33612345678",
    ]
    # without the victim's country, a national number is ambiguous: only the + form counts
    assert [i.value for i in by_type(text, "phone")] == ["+33612345678"]


@pytest.mark.parametrize(
    "text",
    [
        "Rechnung 0612345678 bezahlt",
        "am 2024-05-12 um 10:30",
        "Betrag 1 234 567 EUR",
        "version 10.20.30.40",
    ],
)
def test_phone_negatives(text: str) -> None:
    assert not by_type(text, "phone", country_hint="FR")


def test_card_is_masked_and_never_whole() -> None:
    text = "my card 4111 1111 1111 1111 was charged"
    (card,) = by_type(text, "card")
    assert card.value == "411111…1111"
    assert card.extra["bin"] == "411111" and card.extra["last4"] == "1111"
    assert text[card.start : card.end] == "4111 1111 1111 1111"
    assert "4111111111111111" not in repr(extract(text))


def test_card_token_hook_receives_number_but_result_is_opaque() -> None:
    (card,) = by_type("4111111111111111", "card", card_token=lambda n: f"tok{len(n)}")
    assert card.extra["token"] == "tok16"


def test_luhn_invalid_number_is_no_card() -> None:
    assert not by_type("my card 4111 1111 1111 1112 was charged", "card")


def test_wallets_and_hashes() -> None:
    text = (
        "btc 1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2 and bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4, "
        "eth 0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed; md5 d41d8cd98f00b204e9800998ecf8427e "
        "sha1 da39a3ee5e6b4b0d3255bfef95601890afd80709 sha256 "
        "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"
    )
    got = found(text)
    assert ("btc", "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2") in got
    assert ("btc", "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4") in got
    assert ("eth", "0x5aaeb6053f3e94c9b9a09f33669435e7ef1beaed") in got
    assert ("md5", "d41d8cd98f00b204e9800998ecf8427e") in got
    assert ("sha1", "da39a3ee5e6b4b0d3255bfef95601890afd80709") in got
    assert ("sha256", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855") in got


def test_wallets_with_bad_checksums_are_ignored() -> None:
    text = (
        "1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3 bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t5 "
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAeD"
    )
    assert not {t for t, _ in found(text)} & {"btc", "eth"}


def test_onion_v3() -> None:
    onion = "duckduckgogg42xjoc72x3sjasowoarfbgcmvfimaftt6twagswzczad.onion"
    assert ("onion", onion) in found(f"market at {onion} now")
    broken = onion.replace("duck", "dack")
    assert not by_type(f"market at {broken}", "onion")


def test_messenger_links_and_handles() -> None:
    text = "write t.me/Scam_Support or hxxps://wa[.]me/4915112345678; Telegram: @fast_refund"
    got = found(text)
    assert ("messenger", "telegram:scam_support") in got
    assert ("messenger", "whatsapp:+4915112345678") in got
    assert ("phone", "+4915112345678") in got
    assert ("messenger", "telegram:fast_refund") in got
    # a bare @handle without a messenger nearby is not an indicator
    assert not by_type("thanks @someone_here for the tip", "messenger")


def test_idn_and_homograph_flags() -> None:
    inds = {
        i.value: i
        for i in by_type("сайт раураl.com и пример.рф, also xn--e1afmkfd.xn--p1ai", "domain")
    }
    homo = inds["раураl.com"]
    assert {"homograph", "mixed-script", "idn"} <= homo.flags
    assert homo.extra["punycode"].startswith("xn--")
    assert inds["пример.рф"].extra["punycode"] == "xn--e1afmkfd.xn--p1ai"
    assert "homograph" not in inds["пример.рф"].flags


def test_indicators_glued_to_chinese_text() -> None:
    text = "请访问paypal-login.com然后付款，邮箱scam@mail.ru。服务器1.2.3.4"
    got = found(text)
    assert ("domain", "paypal-login.com") in got
    assert ("email", "scam@mail.ru") in got
    assert ("ipv4", "1.2.3.4") in got


def test_indicator_is_frozen_and_hashable() -> None:
    (d,) = by_type("evil.com", "domain")
    assert d.key == "domain:evil.com"
    assert hash(d) == hash(d)
    with pytest.raises(AttributeError):
        d.value = "x"  # type: ignore[misc]


def test_garbage_input_never_raises() -> None:
    assert extract("") == []
    assert extract(None) == []  # type: ignore[arg-type]
    assert isinstance(extract("\x00\ud800\U0010ffff" * 50), list)


def test_spaced_bracket_defang_and_glued_urls() -> None:
    assert ("domain", "evil.com") in found("written as evil [.] com here")
    got = found("Links: https://a-bank.com/x,https://b-bank.com/y")
    assert {("url", "https://a-bank.com/x"), ("url", "https://b-bank.com/y")} <= got


def test_wallet_inside_url_is_also_extracted() -> None:
    addr = "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    got = found(f"see https://blockchair.com/bitcoin/address/{addr} now")
    assert ("btc", addr) in got and ("domain", "blockchair.com") in got


def test_french_dotted_phone_is_not_a_date() -> None:
    assert found("Rappelez le 06.12.34.56.78 avant midi.", country_hint="FR") == {
        ("phone", "+33612345678")
    }
