"""Indicator records: intake (extract, redact, upsert in bulk) and lookup by typed value.

Functions take ``(session, ...)`` and never commit. The report side (which reports may be
seen, highlighting, the bank lookup) lives in reports.indicator_links, above this layer.
"""

from __future__ import annotations

import hashlib
import ipaddress
import re
import uuid
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from dataclasses import field as dc_field
from datetime import datetime
from typing import Any

from sqlalchemy import func, select, update
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.orm import Session

from contactpoint.core import warmup
from contactpoint.core.crypto import hmac_token
from contactpoint.core.db import new_id
from contactpoint.indicators import cards, warninglists
from contactpoint.indicators import types as t
from contactpoint.indicators.extract import extract
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.indicators.normalise import normalise
from contactpoint.indicators.refang import refang

# Identity attributes that only come as suspect identifiers (never extracted from text).
BANK_ACCOUNT = "bank-account"
NAME = "name"
USERNAME = "username"
PII_TYPES = frozenset({t.PHONE, t.IBAN, t.CARD, t.EMAIL, BANK_ACCOUNT, NAME, USERNAME})
SEARCH_TYPES = (*t.CORE_TYPES, BANK_ACCOUNT, NAME, USERNAME)
MAX_KEY = 300
DESCRIPTION = "description"
IDENTIFIERS = "suspect_identifiers"
_CHUNK = 500
_MASKED_CARD = re.compile(r"(\d{6})(?:…|\.{2,3}|\*{2,9}|x{2,9}|X{2,9}| )(\d{4})")
# Identifier kinds given by the reporter that map straight to an indicator type.
_IDENTIFIER_TYPES = {"iban": t.IBAN, "phone": t.PHONE, "email": t.EMAIL, "url": t.URL}
_IDENTITY_KINDS = {"bank-account": BANK_ACCOUNT, "name": NAME, "username": USERNAME}


@dataclass(frozen=True)
class Found:
    """One occurrence ready to store. ``token`` is set for cards (made from the full
    number before it was discarded) and computed for the other personal-data types."""

    type: str
    value: str
    field: str
    start: int
    end: int
    flags: tuple[str, ...] = ()
    extra: dict[str, Any] = dc_field(default_factory=dict, hash=False, compare=False)
    token: str | None = None

    @property
    def key(self) -> str:
        return lookup_key(self.type, self.value, self.token)


def personal(type_: str, value: str) -> bool:
    """Personal data: the PII types, and WhatsApp handles, which are phone numbers."""
    return type_ in PII_TYPES or (type_ == t.MESSENGER and value.startswith("whatsapp:"))


def lookup_key(type_: str, value: str, token: str | None = None) -> str:
    """The indexed key: the HMAC token for personal data, else the value (digest if long)."""
    if personal(type_, value):
        return token or hmac_token(type_, value)
    if len(value) <= MAX_KEY:
        return value
    return "sha256:" + hashlib.sha256(value.encode()).hexdigest()


def _card_token(digits: str) -> str:
    return hmac_token("card", digits)  # the same token reports.redact gives identifiers


def _safe(value: Any) -> Any:
    """Belt and braces: no card-shaped run leaves intake in any stored string."""
    if isinstance(value, str):
        return cards.redact(value)
    if isinstance(value, dict):
        return {str(k): _safe(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_safe(v) for v in value]
    return value


def prepare(
    text: str, *, country_hint: str | None = None, lang: str | None = None
) -> tuple[str, list[Found]]:
    """Extract the indicators of a description as written, then redact its card numbers.

    Returns the redacted text (what is stored) and the occurrences with spans into it.
    Card tokens are made from the full numbers here; the numbers go no further.
    """
    runs = list(cards.card_runs(text))
    found = extract(text, country_hint=country_hint, lang=lang, card_token=_card_token)
    # Rebuild the text as cards.redact() does, noting where each run moved.
    parts: list[str] = []
    moves: list[tuple[int, int, int, int]] = []  # old start, old end, new start, new end
    last = out_len = 0
    for start, end, digits in runs:
        parts.append(text[last:start])
        out_len += start - last
        masked = cards.REDACTION.format(bin6=digits[:6], last4=digits[-4:])
        parts.append(masked)
        moves.append((start, end, out_len, out_len + len(masked)))
        out_len += len(masked)
        last = end
    parts.append(text[last:])
    redacted = "".join(parts)

    def shift(pos: int) -> int:
        delta = 0
        for _o_start, o_end, _n_start, n_end in moves:
            if o_end <= pos:
                delta = n_end - o_end
            else:
                break
        return pos + delta

    out: list[Found] = []
    for ind in found:
        move = next((m for m in moves if m[0] < ind.end and ind.start < m[1]), None)
        if move is not None and ind.type == t.CARD:
            start, end = move[2], move[3]
        elif move is not None:
            continue  # it overlapped a card number, which is no longer in the text
        else:
            start, end = shift(ind.start), shift(ind.end)
        extra = dict(ind.extra)
        token = extra.pop("token", None) if ind.type == t.CARD else None
        if ind.type == t.CARD and not token:
            continue  # never store a card without its linking token
        out.append(
            Found(
                ind.type,
                ind.value if ind.type == t.CARD else _safe(ind.value),
                DESCRIPTION,
                start,
                end,
                tuple(sorted(ind.flags)),
                _safe(extra),
                token,
            )
        )
    return redacted, out


def from_identifiers(
    identifiers: Sequence[dict[str, Any]], *, country_hint: str | None = None
) -> list[Found]:
    """Occurrences from the stored (already card-redacted) suspect identifiers."""
    out: list[Found] = []
    for pos, ident in enumerate(identifiers):
        kind = str(ident.get("type", ""))
        value = str(ident.get("value", "")).strip()
        if kind == "card":
            if ident.get("token") and ident.get("bin") and ident.get("last4"):
                extra = {"bin": ident["bin"], "last4": ident["last4"]}
                out.append(
                    Found(
                        t.CARD,
                        str(ident["value"]),
                        IDENTIFIERS,
                        pos,
                        pos,
                        (),
                        extra,
                        str(ident["token"]),
                    )
                )
            continue
        if not value:
            continue
        if kind in _IDENTITY_KINDS:
            norm = " ".join(refang(value).split()).casefold()[:500]
            out.append(Found(_IDENTITY_KINDS[kind], _safe(norm), IDENTIFIERS, pos, pos))
            continue
        direct = _IDENTIFIER_TYPES.get(kind)
        if kind == "ip":
            direct = _ip_type(refang(value).strip())
        if direct is not None and cards.redact(value) == value:
            norm = normalise(direct, value, country_hint=country_hint)
            if norm and _plausible(direct, norm):
                out.append(Found(direct, _safe(norm), IDENTIFIERS, pos, pos))
                continue
        for ind in extract(value, country_hint=country_hint):
            if ind.type != t.CARD:
                out.append(
                    Found(
                        ind.type,
                        _safe(ind.value),
                        IDENTIFIERS,
                        pos,
                        pos,
                        tuple(sorted(ind.flags)),
                        _safe(dict(ind.extra)),
                    )
                )
    return out


def _ip_type(value: str) -> str | None:
    try:
        return t.IPV4 if ipaddress.ip_address(value.strip("[]")).version == 4 else t.IPV6
    except ValueError:
        return None


def _plausible(type_: str, value: str) -> bool:
    if type_ == t.PHONE:
        return value.startswith("+")
    if type_ == t.EMAIL:
        return "@" in value
    if type_ == t.URL:
        return "://" in value
    return True


# ---------------------------------------------------------------------------- storage


def _insert(session: Session, model: type[Any]) -> Any:
    """INSERT ... ON CONFLICT DO NOTHING on both databases (races and re-runs are no-ops)."""
    dialect = session.get_bind().dialect.name
    ins = postgresql.insert if dialect == "postgresql" else sqlite.insert
    return ins(model)


def _chunks(items: Sequence[Any], size: int = _CHUNK) -> Iterable[Sequence[Any]]:
    for i in range(0, len(items), size):
        yield items[i : i + size]


def upsert(
    session: Session, found: Iterable[tuple[Found, datetime]]
) -> dict[tuple[str, str], Indicator]:
    """Create missing indicator rows and widen first/last seen; returns rows by (type, key)."""
    wanted: dict[tuple[str, str], tuple[Found, datetime, datetime]] = {}
    for f, seen in found:
        k = (f.type, f.key)
        old = wanted.get(k)
        wanted[k] = (f, min(old[1], seen), max(old[2], seen)) if old else (f, seen, seen)
    if not wanted:
        return {}
    rows = [new_row(f, first, last) for (f, first, last) in wanted.values()]
    rows.sort(key=lambda r: (r["type"], r["lookup_key"]))  # one insert order for everyone
    # executemany of one cached statement (SQLAlchemy batches it as "insertmanyvalues").
    stmt = _insert(session, Indicator).on_conflict_do_nothing(index_elements=["type", "lookup_key"])
    for chunk in _chunks(rows):
        session.execute(stmt, list(chunk))
    out: dict[tuple[str, str], Indicator] = {}
    keys = sorted({k for _, k in wanted})
    for chunk in _chunks(keys):
        # Lock the rows in id order (PostgreSQL): concurrent intakes that share indicators
        # then queue for them instead of deadlocking on the seen/count updates below.
        stmt = select(Indicator).where(Indicator.lookup_key.in_(chunk)).order_by(Indicator.id)
        if session.get_bind().dialect.name == "postgresql":
            stmt = stmt.with_for_update()
        for ind in session.scalars(stmt):
            if (ind.type, ind.lookup_key) in wanted:
                out[(ind.type, ind.lookup_key)] = ind
    for k, ind in out.items():
        _, first, last = wanted[k]
        if first < ind.first_seen:
            ind.first_seen = first
        if last > ind.last_seen:
            ind.last_seen = last
    session.flush()
    return out


def warninglist_of(f: Found) -> str | None:
    """The warninglist that holds ``f``'s value (never checked for personal data)."""
    return None if personal(f.type, f.value) else warninglists.match(f.type, f.value)


_WARM_TEXT = (
    "Paid 50 EUR to seller +33 6 12 34 56 78 via https://example.com, IBAN "
    "DE89 3704 0044 0532 0130 00, from 198.51.100.7, mail scam@example.org"
)


@warmup.register
def _warm() -> None:
    """Load the warninglists, phone metadata and domain tables a first report needs."""
    for f in prepare(_WARM_TEXT, country_hint="FR")[1]:
        warninglist_of(f)


def new_row(
    f: Found,
    first: datetime,
    last: datetime,
    report_count: int = 0,
    *,
    key: str | None = None,
    listed: str | bool | None = False,
    new: uuid.UUID | None = None,
) -> dict[str, Any]:
    """The column values of a new indicator record for ``f`` (upsert and bulk import).
    ``key``: ``f.key`` when the caller has it; ``listed``: its warninglist when the caller
    already looked it up (None: on none); ``new``: its id, when made in bulk."""
    type_, key = f.type, key or f.key
    pii = personal(type_, f.value)
    if listed is False or listed is True:
        listed = warninglist_of(f)
    return {
        "id": new or new_id(),
        "type": type_,
        "lookup_key": key,
        "value": None if pii else f.value,
        "value_encrypted": f.value if pii else None,
        "token": key if pii else None,
        "card_bin": f.extra.get("bin") if type_ == t.CARD else None,
        "display": f.value if type_ == t.CARD else None,
        "first_seen": first,
        "last_seen": last,
        "report_count": report_count,
        "flags": list(f.flags),
        "extra": f.extra if not pii or type_ in (t.CARD, t.IBAN) else {},
        "warninglisted": listed is not None,
        "warninglist": listed,
    }


LinkKey = tuple[uuid.UUID, uuid.UUID, str, int]  # report, indicator, field, start


def store(
    session: Session, batch: Sequence[tuple[uuid.UUID, datetime, Sequence[Found]]]
) -> set[LinkKey]:
    """Store the occurrences of a batch of reports (report id, seen at, found): indicator
    rows upserted once per batch, links added where missing. Returns every link wanted."""
    rows = upsert(session, ((f, seen) for _, seen, found in batch for f in found))
    links = []
    seen_links: set[LinkKey] = set()
    for report_id, _, found in batch:
        for f in found:
            ind = rows[(f.type, f.key)]
            k = (report_id, ind.id, f.field, f.start)
            if k in seen_links:
                continue
            seen_links.add(k)
            links.append(
                {
                    "report_id": report_id,
                    "indicator_id": ind.id,
                    "field": f.field,
                    "start": f.start,
                    "end": f.end,
                    "flags": list(f.flags),
                }
            )
    # Pairs (report, indicator) stored before: counts grow by the new pairs only. Counting
    # every holder again read a hub's hundreds of thousands of links for one new report.
    report_ids = list(dict.fromkeys(r for r, _, _ in batch))
    before: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for part in _chunks(report_ids):
        before.update(
            (rid, iid)
            for rid, iid in session.execute(
                select(ReportIndicator.report_id, ReportIndicator.indicator_id)
                .where(ReportIndicator.report_id.in_(part))
                .distinct()
            )
        )
    stmt = _insert(session, ReportIndicator).on_conflict_do_nothing(
        index_elements=["report_id", "indicator_id", "field", "start"]
    )
    for chunk in _chunks(links):
        session.execute(stmt, list(chunk))
    added = Counter(i for r, i in {(k[0], k[1]) for k in seen_links} - before)
    for n in sorted(set(added.values())):
        ids = sorted(i for i, c in added.items() if c == n)
        for part in _chunks(ids):
            session.execute(
                update(Indicator)
                .where(Indicator.id.in_(part))
                .values(report_count=Indicator.report_count + n)
                .execution_options(synchronize_session=False)
            )
    _expire_counts(session, set(added))
    return seen_links


def recount(session: Session, indicator_ids: Iterable[uuid.UUID]) -> None:
    """Set report_count to the number of distinct reports linked to each indicator."""
    ids = list(indicator_ids)
    for chunk in _chunks(ids):
        counted = (
            select(func.count(func.distinct(ReportIndicator.report_id)))
            .where(ReportIndicator.indicator_id == Indicator.id)
            .scalar_subquery()
        )
        session.execute(
            update(Indicator)
            .where(Indicator.id.in_(chunk))
            .values(report_count=counted)
            .execution_options(synchronize_session=False)
        )
    _expire_counts(session, set(ids))


def _expire_counts(session: Session, wanted: set[uuid.UUID]) -> None:
    for obj in list(session.identity_map.values()):
        if isinstance(obj, Indicator) and obj.id in wanted:
            session.expire(obj, ["report_count"])  # reload the count the UPDATE set


# ---------------------------------------------------------------------------- lookup


def normalised(type_: str, value: str, *, country_hint: str | None = None) -> str:
    """A typed value (possibly defanged) in the form the records use."""
    if type_ in _IDENTITY_KINDS.values():
        return " ".join(refang(value).split()).casefold()
    return normalise(type_, value, country_hint=country_hint)


def find(
    session: Session, type_: str, value: str, *, country_hint: str | None = None
) -> Indicator | None:
    """The indicator of that type and (defanged or plain) value, or None. ``country_hint``
    is the region of a phone number written in national format."""
    if type_ == t.CARD:
        return find_card(session, value)
    norm = normalised(type_, value, country_hint=country_hint)
    if not norm:
        return None
    key = lookup_key(type_, norm)
    return session.scalars(
        select(Indicator).where(Indicator.type == type_, Indicator.lookup_key == key)
    ).first()


def find_card(session: Session, value: str) -> Indicator | None:
    """A card by its full number (tokenised here, never kept) or its stored id."""
    digits = "".join(ch for ch in value if ch.isdigit())
    if 13 <= len(digits) <= 19 and cards.luhn_ok(digits):
        key = _card_token(digits)
        return session.scalars(
            select(Indicator).where(Indicator.type == t.CARD, Indicator.lookup_key == key)
        ).first()
    return None


def search(session: Session, q: str, *, limit: int = 50) -> list[Indicator]:
    """Indicators whose normalised value equals ``q`` read as each type, then extracted
    indicators of ``q`` (so a pasted sentence works too). Cards are found by their masked
    form ``411111…1111`` only: a full number in a query string would end up in access logs."""
    q = q.strip()[:2000]
    if not q:
        return []
    masked = _MASKED_CARD.fullmatch(q)
    if masked:
        return list(
            session.scalars(
                select(Indicator)
                .where(
                    Indicator.type == t.CARD,
                    Indicator.card_bin == masked.group(1),
                    Indicator.display == f"{masked.group(1)}…{masked.group(2)}",
                )
                .order_by(Indicator.report_count.desc())
                .limit(limit)
            )
        )
    wanted: set[tuple[str, str]] = set()
    for type_ in SEARCH_TYPES:
        if type_ == t.CARD:
            continue
        try:
            norm = normalised(type_, q)
        except Exception:  # noqa: S112  (a value that is not of this type)
            continue
        if norm:
            wanted.add((type_, lookup_key(type_, norm)))
    for hit in extract(q):
        if hit.type != t.CARD:
            wanted.add((hit.type, lookup_key(hit.type, hit.value)))
    keys = sorted({k for _, k in wanted})
    found: list[Indicator] = []
    for chunk in _chunks(keys):
        for ind in session.scalars(select(Indicator).where(Indicator.lookup_key.in_(chunk))):
            if (ind.type, ind.lookup_key) in wanted:
                found.append(ind)
    found.sort(key=lambda i: (-i.report_count, i.type))
    return found[:limit]


def get(session: Session, indicator_id: uuid.UUID) -> Indicator | None:
    return session.get(Indicator, indicator_id)


def shown_value(ind: Indicator, *, may_see_personal: bool) -> str | None:
    """The value as shown: clear for non-personal types; cards as BIN…last4; other
    personal data only to those allowed (decrypted on demand)."""
    if ind.token is None:
        return ind.value
    if ind.type == t.CARD:
        return ind.display
    return ind.value_encrypted if may_see_personal else None
