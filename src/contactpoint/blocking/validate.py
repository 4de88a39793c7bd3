"""Validation of blocklist entries (pure): one function for the API, the form and CSV lines.

Errors name the field, so a bulk file's report can add the line number.
"""

from __future__ import annotations

import ipaddress
import re
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any
from urllib.parse import urlsplit

from contactpoint.blocking import canonical, rpz
from contactpoint.indicators import domains
from contactpoint.taxonomy.vocab import CrimeKind

KINDS = ("domain", "url", "ip")
_LDH = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)+")
CATEGORIES = tuple(k.value for k in CrimeKind)


class EntryError(ValueError):
    def __init__(self, errors: list[dict[str, Any]]) -> None:
        super().__init__("; ".join(f"{e['field']}: {e['message']}" for e in errors))
        self.errors = errors


@dataclass(frozen=True)
class CleanEntry:
    kind: str
    value: str
    host: str
    block_host: bool
    category: str
    legal_basis: str
    decision_reference: str
    valid_from: datetime
    valid_until: datetime | None
    redress_text: str
    redress_url: str | None


def public_ip(text: str) -> str:
    """The address in normal form, or ValueError saying why it cannot be blocked."""
    try:
        addr = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        raise ValueError(f"'{text}' is not an IP address") from None
    if not addr.is_global or addr.is_multicast:
        raise ValueError(
            f"{addr} is a private, reserved or special-purpose address; "
            "only public addresses can be blocked"
        )
    return str(addr)


def domain_name(text: str) -> str:
    name = domains.normalise(text)
    forms = domains.check(name, in_url=True)
    if forms is None or not _LDH.fullmatch(forms[1]) or not rpz.is_valid_owner(forms[1]):
        raise ValueError(f"'{text}' is not a domain name under a public suffix")
    return forms[1]  # punycode: what resolvers and hosts files see


def _url(text: str) -> tuple[str, str]:
    raw = text.strip()
    try:
        parts = urlsplit(raw)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise ValueError(f"'{raw}' is not a URL: {exc}") from None
    if parts.scheme.lower() not in ("http", "https") or not parts.hostname:
        raise ValueError(f"'{raw}' is not an http(s) URL with a host")
    host = parts.hostname
    try:
        host = public_ip(host)
    except ValueError as exc:
        if "not an IP address" not in str(exc):
            raise
        host = domain_name(host)
    value = canonical.canonicalize(raw)
    return value, host


def _when(data: dict[str, Any], key: str) -> datetime | None:
    value = data.get(key)
    if value in (None, ""):
        return None
    if isinstance(value, str):
        try:
            value = datetime.fromisoformat(value.strip().replace("Z", "+00:00"))
        except ValueError:
            raise ValueError("not an ISO 8601 date or time") from None
    if not isinstance(value, datetime):
        raise ValueError("not a date or time")
    return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


def clean(data: dict[str, Any], now: datetime) -> CleanEntry:
    """Check one entry; raise EntryError listing every field at fault."""
    errors: list[dict[str, Any]] = []

    def fail(field: str, message: str) -> None:
        errors.append({"field": field, "message": message})

    def text(field: str, limit: int, required: bool = True) -> str:
        value = str(data.get(field) or "").strip()
        if required and not value:
            fail(field, "is required")
        elif len(value) > limit:
            fail(field, f"is longer than {limit} characters")
        return value

    kind = str(data.get("kind") or "").strip().lower()
    raw = text("value", 2048)
    value = host = ""
    if kind not in KINDS:
        fail("kind", f"must be one of {', '.join(KINDS)}")
    elif raw:
        try:
            if kind == "domain":
                value = host = domain_name(raw)
            elif kind == "ip":
                value = host = public_ip(raw)
            else:
                value, host = _url(raw)
        except ValueError as exc:
            fail("value", str(exc))
    category = str(data.get("category") or "").strip()
    if category not in CATEGORIES:
        fail("category", f"must be one of {', '.join(CATEGORIES)}")
    legal_basis = text("legal_basis", 500)
    decision = text("decision_reference", 200)
    redress_text = text("redress_text", 4000)
    redress_url = text("redress_url", 2048, required=False) or None
    if redress_url and urlsplit(redress_url).scheme not in ("http", "https"):
        fail("redress_url", "must be an http(s) URL")
    valid_from = valid_until = None
    for key in ("valid_from", "valid_until"):
        try:
            when = _when(data, key)
        except ValueError as exc:
            fail(key, str(exc))
            continue
        if key == "valid_from":
            valid_from = when
        else:
            valid_until = when
    valid_from = valid_from or now
    if valid_until is not None and valid_until <= valid_from:
        fail("valid_until", "must be later than valid_from")
    block_host = str(data.get("block_host", "")).strip().lower() in ("true", "1", "yes")
    if errors:
        raise EntryError(errors)
    return CleanEntry(
        kind,
        value,
        host,
        block_host and kind == "url",
        category,
        legal_basis,
        decision,
        valid_from,
        valid_until,
        redress_text,
        redress_url,
    )
