"""Validate the public report form: plain values in, cleaned answers and field errors out.

Pure: no database and no web objects, so every rule is testable on its own. Error messages
are translated with the current request language (core.i18n), next to the field they name.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from contactpoint.core.i18n import gettext as _
from contactpoint.public.questions import COUNTRIES, CrimeKind, Question, all_questions

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
PHONE = re.compile(r"^\+?[0-9 ()./-]{5,40}$")
EARLIEST = date(1990, 1, 1)
MAX_AMOUNT = Decimal("1000000000")
MAX_IDENTIFIER = 500  # the report schema's limit for one suspect identifier


@dataclass
class Answers:
    """``raw`` re-fills the form after an error; ``clean`` feeds the report."""

    raw: dict[str, Any] = field(default_factory=dict)
    clean: dict[str, Any] = field(default_factory=dict)
    errors: dict[str, str] = field(default_factory=dict)

    @property
    def ok(self) -> bool:
        return not self.errors


def parse_amount(text: str) -> Decimal:
    """Accept 1234.5, 1 234,50, 1.234,50 and 1,234.50 (the decimal mark is the last one)."""
    s = text.replace(" ", "").replace("\u00a0", "").replace("'", "")
    if "," in s and "." in s:
        dec = "," if s.rfind(",") > s.rfind(".") else "."
        s = s.replace("." if dec == "," else ",", "").replace(",", ".")
    elif "," in s:
        s = s.replace(",", ".")
    value = Decimal(s)
    if not value.is_finite():
        raise InvalidOperation(text)
    return value


def _one(form: dict[str, list[str]], name: str) -> str:
    values = form.get(name) or [""]
    return values[-1].strip()


def _check(
    q: Question, form: dict[str, list[str]], today: date, countries: tuple[str, ...]
) -> tuple[Any, Any, str | None]:
    """(raw, clean, error) for one question."""
    if q.input == "checkbox":
        on = _one(form, q.name) not in ("", "0", "off", "false")
        return on, on, None
    if q.input == "checkboxes":
        allowed = {v for v, _label in q.choices}
        picked = [v for v in form.get(q.name, []) if v]
        if any(v not in allowed for v in picked):
            return picked, None, _("Choose among the options shown.")
        if q.required and not picked:
            return picked, None, _("Tick at least one box.")
        return picked, picked, None

    text = _one(form, q.name)
    if not text:
        return text, None, _("This field is required.") if q.required else None
    if len(text) > q.max_length:
        return text, None, _("Please keep this under %(n)d characters.") % {"n": q.max_length}
    if q.input == "select":
        allowed = set(countries) if q.name == "victim_country" else {v for v, _l in q.choices}
        if text not in allowed:
            return text, None, _("Choose one of the options.")
        return text, text, None
    if q.input == "number":
        try:
            number = parse_amount(text)
        except (InvalidOperation, ValueError):
            return text, None, _("Enter a number, such as 250 or 99.90.")
        if number < 0 or number > MAX_AMOUNT:
            return text, None, _("Enter a number between 0 and 1,000,000,000.")
        return text, number.quantize(Decimal("0.01")), None
    if q.input == "date":
        try:
            day = date.fromisoformat(text)
        except ValueError:
            return text, None, _("Enter a date as year-month-day, such as 2026-03-31.")
        if day > today:
            return text, None, _("The date cannot be in the future.")
        if day < EARLIEST:
            return text, None, _("Enter a date after 1990.")
        return text, day, None
    if q.input == "email" and not EMAIL.match(text):
        return text, None, _("Enter an email address such as name@example.org.")
    if q.input == "tel" and not PHONE.match(text):
        return text, None, _("Enter a phone number with digits only, such as +33 1 23 45 67 89.")
    if q.input == "url" and (" " in text or "." not in text):
        return text, None, _("Enter a web address such as https://example.org/page.")
    return text, text, None


def validate(
    kind: CrimeKind,
    form: dict[str, list[str]],
    *,
    today: date,
    countries: tuple[str, ...] = tuple(COUNTRIES),
) -> Answers:
    """Check every answer for ``kind``; unknown form fields are ignored."""
    out = Answers()
    for q in all_questions(kind):
        raw, clean, error = _check(q, form, today, countries)
        out.raw[q.name] = raw
        if error:
            out.errors[q.name] = error
        elif clean not in (None, ""):
            out.clean[q.name] = clean
    c = out.clean
    if any(len(line) > MAX_IDENTIFIER for line in suspect_lines(c.get("suspect_identifiers"))):
        out.errors.setdefault(
            "suspect_identifiers",
            _("Put each address or number on its own line (at most %(n)d characters each).")
            % {"n": MAX_IDENTIFIER},
        )
    if "amount" in c and c["amount"] > 0 and "currency" not in c:
        out.errors.setdefault("currency", _("Choose the currency of the amount."))
    has_contact = any(k in c for k in ("reporter_email", "reporter_phone"))
    if has_contact and not c.get("consent_contact"):
        out.errors.setdefault(
            "consent_contact",
            _("Tick this box so we may use your contact details, or leave them empty."),
        )
    if c.get("consent_contact") and not has_contact:
        out.errors.setdefault("reporter_email", _("Give an email address or a phone number."))
    return out


def suspect_lines(text: str | None) -> list[str]:
    """One identifier per line (or separated by commas), as the citizen gave them."""
    if not text:
        return []
    parts = re.split(r"[\n,;]+", text)
    return [p.strip() for p in parts if p.strip()][:50]
