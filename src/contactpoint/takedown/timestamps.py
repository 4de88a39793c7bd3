"""Authenticated timestamps of sending and receipt (TCO Art. 3(5)). PURE apart from the key.

A timestamp is an Ed25519 signature by the node's key (``core.signing``) over the canonical
JSON (sorted keys, no spaces) of::

    {"at": "<ISO 8601 UTC>", "content_sha256": "<hex>", "event": "sent|received",
     "reference": "TD-FR-2026-000123"}

``content_sha256`` is the SHA-256 of the notice's canonical content (:func:`content_digest`),
so the signature proves what was sent and when; changing the event's time, its kind, the
reference or the content makes the check fail. Anyone with the node's public key (served at
``/.well-known/contactpoint/blocklist-signing-key.pem`` and with each notice's timestamps)
can check one offline with ``contactpoint takedown verify-timestamp``.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from contactpoint.core import signing
from contactpoint.core.audit import canonical_json

SIGNED_EVENTS = ("sent", "received")


def content_digest(
    *,
    reference: str,
    kind: str,
    provider_id: str,
    issuing_country: str,
    category: str,
    urls: Iterable[str],
    fields: dict[str, Any],
) -> str:
    """SHA-256 (hex) of what the notice says: the parts a provider acts on."""
    body = {
        "reference": reference,
        "kind": kind,
        "provider_id": provider_id,
        "issuing_country": issuing_country,
        "category": category,
        "urls": list(urls),
        "fields": fields,
    }
    return hashlib.sha256(canonical_json(body)).hexdigest()


def iso(at: datetime) -> str:
    return at.astimezone(UTC).isoformat(timespec="microseconds")


def payload(reference: str, event: str, at: datetime | str, content_sha256: str) -> bytes:
    """The exact bytes that are signed."""
    when = at if isinstance(at, str) else iso(at)
    return canonical_json(
        {"reference": reference, "event": event, "at": when, "content_sha256": content_sha256}
    )


def sign(key: Ed25519PrivateKey, data: bytes) -> str:
    return base64.b64encode(signing.sign(key, data)).decode()


def check(public_key_pem: bytes, data: bytes, signature_b64: str) -> bool:
    """Whether ``signature_b64`` is the node key's signature over ``data``."""
    try:
        raw = base64.b64decode(signature_b64, validate=True)
    except (binascii.Error, ValueError):
        return False
    if len(raw) != 64:
        return False
    return signing.verify(public_key_pem, data, raw)
