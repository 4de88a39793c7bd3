"""Long unbroken runs (20,000+ characters) and pathological shapes: extraction finishes and
returns sane results. Time is measured in bench/extraction.py, never asserted here."""

from __future__ import annotations

import pytest

from contactpoint.indicators.cards import redact
from contactpoint.indicators.extract import extract

N = 25_000
ADVERSARIAL = {
    "letters": "a" * N,
    "digits": "1" * N,
    "dotted": "a." * N,
    "dotted-digits": "1." * N,
    "hex": "ab12" * N,
    "colons": "a:" * N,
    "ats": "a@" * N,
    "brackets": "[" * N + "." + "]" * N,
    "defang-chain": "a[.]" * N,
    "spoken-dots": "a dot " * (N // 6),
    "url-tail": "http://" + "a" * N,
    "url-dots": "http://" + "a." * N,
    "email-local": "a" * N + "@example.com",
    "email-domain": "x@" + "a-" * N,
    "phone-ish": "+1 " + "2 " * N,
    "card-ish": "4111 " * N,
    "iban-ish": "DE89 " + "3704 " * N,
    "base58": "1" + "A" * N,
    "cjk": "中" * N + "paypal.com",
    "fullwidth": "ｅ" * N,
    "mixed": ("hxxp[:]//a[.]b/" + "中" + "1.2.3.4" + "@t.me/") * (N // 30),
}


@pytest.mark.parametrize("name", sorted(ADVERSARIAL))
def test_long_runs_finish_without_exception(name: str) -> None:
    text = ADVERSARIAL[name]
    inds = extract(text, country_hint="DE")
    assert all(0 <= i.start < i.end <= len(text) for i in inds)
    assert isinstance(redact(text), str)


def test_glued_domain_found_after_long_cjk_run() -> None:
    assert ("domain", "paypal.com") in {(i.type, i.value) for i in extract(ADVERSARIAL["cjk"])}


def test_dense_indicator_list_finds_every_line() -> None:
    # A pasted IOC list: many indicators and defanged forms in one text. Occupied spans are
    # merged run by run (not inserted one by one), so this stays linear; time is benched.
    line = "card 4111 1111 1111 1111 at evil[.]com, call +33 6 12 34 56 78 hxxp://x[.]org/a\n"
    text = line * 2000
    inds = extract(text, country_hint="FR")
    counts: dict[str, int] = {}
    for ind in inds:
        counts[ind.type] = counts.get(ind.type, 0) + 1
    assert counts == {"card": 2000, "domain": 4000, "phone": 2000, "url": 2000}
    assert all(text[i.start : i.end] in line for i in inds)
