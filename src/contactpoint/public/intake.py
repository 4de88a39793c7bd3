"""Turn the citizen's cleaned answers into the fields of a report (reports.schemas.ReportIn).

Pure: plain dicts in and out. The kind-specific answers that have no column of their own
(a ransom note, the systems affected) are appended to the description under English labels,
so an analyst in any country reads them in one place.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime, time
from typing import Any

from contactpoint.public.forms import suspect_lines
from contactpoint.public.questions import CrimeKind

# Form field -> ReportIn field, for the answers that map one to one.
DIRECT = {
    "victim_country": "victim_country",
    "victim_type": "victim_type",
    "amount": "loss_amount",
    "payment_method": "payment_method",
    "reporter_name": "reporter_name",
    "reporter_email": "reporter_email",
    "reporter_phone": "reporter_phone",
}
# ReportIn field -> the form field to show its error next to.
FIELD_FOR = {v: k for k, v in DIRECT.items()} | {
    "loss_currency": "currency",
    "occurred_at": "occurred_on",
    "contact_consent": "consent_contact",
    "share_with_other_authorities": "consent_share",
    "suspect_identifiers": "suspect_identifiers",
    "description": "description",
    "anonymous": "reporter_email",
}
# Answers shown to the analyst inside the description, with the label they get there.
EXTRA_LINES = (
    ("contact_channel", "Contacted through"),
    ("received_via", "Received via"),
    ("sender", "Sender"),
    ("phishing_url", "Link"),
    ("entered_details", "Victim entered credentials or bank details"),
    ("message_text", "Message"),
    ("documents", "Documents or accounts misused"),
    ("accounts", "Accounts affected"),
    ("misuse", "Misuse"),
    ("systems", "Systems affected"),
    ("ransomware", "Files encrypted or ransom demanded"),
    ("ransom_note", "Ransom note"),
    ("target", "Target"),
    ("duration_hours", "Duration (hours)"),
    ("ongoing", "Still ongoing"),
    ("extortion", "Money demanded"),
    ("content_url", "Content seen at"),
    ("where_seen", "Kind of place"),
)

_IBAN = re.compile(r"^[A-Z]{2}[0-9]{2}[A-Z0-9]{10,30}$")
_EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
_IPV4 = re.compile(r"^(\d{1,3}\.){3}\d{1,3}$")
_PHONE = re.compile(r"^\+?[0-9 ()./-]{6,20}$")
_BTC = re.compile(r"^(bc1|[13])[a-zA-HJ-NP-Z0-9]{25,62}$")
_ETH = re.compile(r"^0x[0-9a-fA-F]{40}$")
_DOMAIN = re.compile(r"^[a-z0-9-]+(\.[a-z0-9-]+)+$", re.IGNORECASE)


def identifier_type(value: str) -> str:
    """A best guess of what a citizen typed, so it can be linked; analysts may correct it."""
    compact = value.replace(" ", "").upper()
    if _IBAN.match(compact):
        return "iban"
    if _EMAIL.match(value):
        return "email"
    if value.lower().startswith(("http://", "https://", "www.")) or "/" in value:
        return "url"
    if _IPV4.match(value):
        return "ip"
    if _BTC.match(value) or _ETH.match(value):
        return "crypto-wallet"
    if _PHONE.match(value) and sum(c.isdigit() for c in value) >= 6:
        return "phone"
    if _DOMAIN.match(value):
        return "domain"
    return "other"


def _show(value: Any) -> str:
    if value is True:
        return "yes"
    if isinstance(value, list):
        return ", ".join(str(v) for v in value)
    return str(value)


def compose_description(kind: CrimeKind, clean: dict[str, Any]) -> str:
    """The citizen's own words first, then the guided answers, one per line."""
    parts = [clean.get("description", "").strip()]
    extra = [
        f"{label}: {_show(clean[name])}"
        for name, label in EXTRA_LINES
        if clean.get(name) not in (None, "", False, [])
    ]
    if extra:
        parts.append("\n".join(extra))
    text = "\n\n".join(p for p in parts if p)
    return text or f"Report of {kind.slug} made through the public form."


def report_fields(kind: CrimeKind, clean: dict[str, Any]) -> dict[str, Any]:
    """The ReportIn fields for one citizen report."""
    data: dict[str, Any] = {"crime_kind": kind.slug}
    for form_name, field in DIRECT.items():
        if form_name in clean:
            data[field] = clean[form_name]
    if "amount" in clean:
        data["loss_currency"] = clean.get("currency")
    if "occurred_on" in clean:
        data["occurred_at"] = datetime.combine(clean["occurred_on"], time(0, 0), tzinfo=UTC)
    data["description"] = compose_description(kind, clean)
    values = suspect_lines(clean.get("suspect_identifiers"))
    for name in ("sender", "phishing_url", "content_url"):
        if clean.get(name):
            values.append(clean[name])
    seen: set[str] = set()
    data["suspect_identifiers"] = [
        {"type": identifier_type(v), "value": v}
        for v in values
        if not (v in seen or seen.add(v))  # type: ignore[func-returns-value]
    ][:50]
    has_contact = any(clean.get(k) for k in ("reporter_name", "reporter_email", "reporter_phone"))
    data["contact_consent"] = bool(clean.get("consent_contact")) and has_contact
    data["share_with_other_authorities"] = bool(clean.get("consent_share")) and has_contact
    data["anonymous"] = not has_contact
    return data


def form_field(report_field: str) -> str:
    """The form field that shows an error the report schema raised for ``report_field``."""
    head = report_field.split(".")[0].split("[")[0]
    return FIELD_FOR.get(head, head)
