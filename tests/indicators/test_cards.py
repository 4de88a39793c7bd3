"""Full card numbers never leave extraction, and redact() removes them from text."""

from __future__ import annotations

from contactpoint.indicators import cards
from contactpoint.indicators.cards import redact
from contactpoint.indicators.extract import extract


def test_redact_replaces_every_card_shaped_run() -> None:
    text = "visa 4111-1111-1111-1111, amex 378282246310005 and again 4111111111111111."
    out = redact(text)
    assert "4111111111111111" not in out.replace("-", "")
    assert "378282246310005" not in out
    assert "[card 411111…1111]" in out and "[card 378282…0005]" in out


def test_redact_leaves_other_numbers() -> None:
    text = "IBAN DE89 3704 0044 0532 0130 00, call +33 6 12 34 56 78, order 123456789"
    assert redact(text) == text


def test_luhn_valid_order_number_is_redacted_but_not_called_a_card() -> None:
    # 13-19 digits that pass Luhn are redacted whatever they are, but only issuer prefixes
    # 2-6 become card indicators.
    number = "1234567890123452"
    assert number not in redact(f"ref {number}")
    assert not [i for i in extract(f"ref {number}") if i.type == "card"]
    assert number not in repr(extract(f"ref {number}"))


def test_card_in_url_does_not_leak_through_the_url() -> None:
    text = "https://pay.example.com/checkout?pan=4111111111111111&x=1"
    inds = extract(text)
    assert "4111111111111111" not in repr(inds)
    assert any(i.type == "card" for i in inds)


def test_fullwidth_card_digits() -> None:
    text = "card ４１１１１１１１１１１１１１１１ ok"
    inds = extract(text)
    assert "4111111111111111" not in repr(inds)
    assert [i.value for i in inds if i.type == "card"] == ["411111…1111"]
    assert "４１１１１１１１１１１１１１１１" not in redact(text)


def test_card_written_in_arabic_indic_digits_does_not_leak_through_a_domain() -> None:
    text = "site ٤١١١١١١١١١١١١١١١.com and more"
    inds = extract(text)
    assert [i.value for i in inds] == ["411111…1111"]
    assert "٤١١١١١١١١١١١١١١١" not in repr(inds)


def test_the_account_part_of_a_grouped_iban_is_not_taken_for_a_card() -> None:
    # "2368 6965 1057 69" passes the Luhn check; after "GB27 MEFM " it is the IBAN's tail.
    text = "konto GB27 MEFM 2368 6965 1057 69."
    assert cards.redact(text) == text
    assert list(cards.card_runs(text)) == []


def test_a_card_after_letters_that_do_not_make_an_iban_is_still_redacted() -> None:
    # Same letters and digits, but a check digit that fails mod 97: it stays a card run.
    text = "konto GB28 MEFM 2368 6965 1057 69."
    assert "[card 236869…5769]" in cards.redact(text)
