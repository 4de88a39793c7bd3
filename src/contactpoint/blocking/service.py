"""Blocklist use cases: entries, publishing versions, exports, diffs, signatures, lookups.

Who sees what (the one access rule of this area, used by every read below):
a list is visible to the organisations of its own country that hold ``blocklists:read``
(providers) or ``blocklists:manage`` (the national authority); for everyone else it does
not exist (404). Only a law-enforcement or public-body organisation with
``blocklists:manage`` changes its own country's list.
"""

from __future__ import annotations

import csv
import io
import json
import threading
import uuid
from collections import OrderedDict
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from contactpoint.blocking import signing, writers
from contactpoint.blocking.hashprefix import HashList
from contactpoint.blocking.models import Blocklist, BlocklistEntry, BlocklistVersion, EntryKind
from contactpoint.blocking.validate import CleanEntry, EntryError, clean, domain_name
from contactpoint.blocking.writers import ExportEntry, ListMeta
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput, NotFound

AUTHORITY_KINDS = frozenset({"law-enforcement", "public-body"})
API = "/api/v1/blocking/lists"


class UnknownVersion(NotFound):
    """A version that does not exist; carries where the full current list is."""

    def __init__(self, detail: str, full_list: str | None, versions: str) -> None:
        super().__init__(detail)
        self.full_list = full_list
        self.versions = versions


def _norm_country(country: str) -> str:
    return country.strip().upper()


def may_manage(actor: Actor, country: str) -> bool:
    if "system" in actor.roles:
        return True
    return (
        actor.can("blocklists:manage")
        and actor.org_kind in AUTHORITY_KINDS
        and (actor.country or "").upper() == _norm_country(country)
    )


def may_read(actor: Actor, country: str) -> bool:
    if may_manage(actor, country):
        return True
    return actor.can("blocklists:read") and (actor.country or "").upper() == _norm_country(country)


def get_list(session: Session, actor: Actor, country: str) -> Blocklist:
    country = _norm_country(country)
    row = session.scalars(select(Blocklist).where(Blocklist.country == country)).first()
    if row is None or not may_read(actor, country):
        raise NotFound(f"no blocklist for {country}")
    return row


def visible_lists(session: Session, actor: Actor) -> list[Blocklist]:
    rows = session.scalars(select(Blocklist).order_by(Blocklist.country))
    return [r for r in rows if may_read(actor, r.country)]


def _managed_list(session: Session, actor: Actor, country: str) -> Blocklist:
    country = _norm_country(country)
    if not may_manage(actor, country):
        if may_read(actor, country):
            raise Forbidden(f"your organisation does not keep the blocklist of {country}")
        raise NotFound(f"no blocklist for {country}")
    row = session.scalars(select(Blocklist).where(Blocklist.country == country)).first()
    if row is None:
        if actor.org_id is None:
            raise InvalidInput(f"no blocklist for {country}; an authority must create it first")
        row = Blocklist(country=country, authority_org_id=actor.org_id, wildcard=True)
        session.add(row)
        session.flush()
        audit.record(
            session,
            actor,
            "blocking.list.create",
            object_type="blocklist",
            object_id=row.id,
            details={"country": country},
        )
    return row


def configure(
    session: Session, actor: Actor, country: str, *, landing_host: str | None, wildcard: bool
) -> Blocklist:
    bl = _managed_list(session, actor, country)
    if landing_host:
        try:
            landing_host = domain_name(landing_host)
        except ValueError as exc:
            raise InvalidInput(
                str(exc), errors=[{"field": "landing_host", "message": str(exc)}]
            ) from None
    bl.landing_host = landing_host or None
    bl.wildcard = wildcard
    audit.record(
        session,
        actor,
        "blocking.list.configure",
        object_type="blocklist",
        object_id=bl.id,
        details={"landing_host": bl.landing_host, "wildcard": wildcard},
    )
    return bl


def _existing(session: Session, bl: Blocklist, kind: str, value: str) -> BlocklistEntry | None:
    return session.scalars(
        select(BlocklistEntry).where(
            BlocklistEntry.blocklist_id == bl.id,
            BlocklistEntry.kind == EntryKind(kind),
            BlocklistEntry.value == value,
            BlocklistEntry.withdrawn_at.is_(None),
        )
    ).first()


def _insert(session: Session, actor: Actor, bl: Blocklist, c: CleanEntry) -> BlocklistEntry:
    row = BlocklistEntry(
        blocklist_id=bl.id,
        kind=EntryKind(c.kind),
        value=c.value,
        host=c.host,
        block_host=c.block_host,
        category=c.category,
        legal_basis=c.legal_basis,
        decision_reference=c.decision_reference,
        valid_from=c.valid_from,
        valid_until=c.valid_until,
        redress_text=c.redress_text,
        redress_url=c.redress_url,
        created_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "blocking.entry.add",
        object_type="blocklist_entry",
        object_id=row.id,
        details={
            "country": bl.country,
            "kind": c.kind,
            "value": c.value,
            "decision": c.decision_reference,
        },
    )
    return row


def add_entry(session: Session, actor: Actor, country: str, data: dict[str, Any]) -> BlocklistEntry:
    bl = _managed_list(session, actor, country)
    try:
        c = clean(data, utcnow())
    except EntryError as exc:
        raise InvalidInput(str(exc), errors=exc.errors) from None
    if _existing(session, bl, c.kind, c.value) is not None:
        raise Conflict(f"{c.kind} {c.value} is already on the {bl.country} blocklist")
    return _insert(session, actor, bl, c)


CSV_COLUMNS = (
    "kind",
    "value",
    "block_host",
    "category",
    "legal_basis",
    "decision_reference",
    "valid_from",
    "valid_until",
    "redress_text",
    "redress_url",
)


def bulk_add(session: Session, actor: Actor, country: str, text: str) -> dict[str, Any]:
    """Add every good line of a CSV file; report each bad one by line. Lines already on the
    list are skipped, so running the same file twice adds nothing the second time."""
    bl = _managed_list(session, actor, country)
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("kind", "value", "category") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            f"the CSV header lacks {', '.join(missing)}; columns: {', '.join(CSV_COLUMNS)}",
            errors=[{"field": m, "line": 1, "message": "missing column"} for m in missing],
        )
    added = skipped = 0
    errors: list[dict[str, Any]] = []
    seen: set[tuple[str, str]] = set()
    now = utcnow()
    for row in reader:
        line = reader.line_num
        try:
            c = clean(dict(row), now)
        except EntryError as exc:
            errors.extend({**e, "line": line} for e in exc.errors)
            continue
        if (c.kind, c.value) in seen or _existing(session, bl, c.kind, c.value) is not None:
            skipped += 1
            continue
        seen.add((c.kind, c.value))
        _insert(session, actor, bl, c)
        added += 1
    return {"added": added, "skipped": skipped, "errors": errors}


def list_entries(
    session: Session, actor: Actor, country: str, *, include_withdrawn: bool = False
) -> list[BlocklistEntry]:
    bl = _managed_list(session, actor, country)
    q = select(BlocklistEntry).where(BlocklistEntry.blocklist_id == bl.id)
    if not include_withdrawn:
        q = q.where(BlocklistEntry.withdrawn_at.is_(None))
    return list(session.scalars(q.order_by(BlocklistEntry.created_at)))


def withdraw(
    session: Session, actor: Actor, country: str, entry_id: uuid.UUID, reason: str
) -> BlocklistEntry:
    bl = _managed_list(session, actor, country)
    row = session.get(BlocklistEntry, entry_id)
    if row is None or row.blocklist_id != bl.id:
        raise NotFound(f"entry {entry_id} not found")
    if row.withdrawn_at is not None:
        raise Conflict(f"entry {entry_id} was already withdrawn")
    if not reason.strip():
        raise InvalidInput(
            "a reason is required", errors=[{"field": "reason", "message": "is required"}]
        )
    row.withdrawn_at = utcnow()
    row.withdrawn_reason = reason.strip()
    audit.record(
        session,
        actor,
        "blocking.entry.withdraw",
        object_type="blocklist_entry",
        object_id=row.id,
        reason=reason.strip(),
    )
    return row


# --- versions ------------------------------------------------------------------------------


def _active(session: Session, bl: Blocklist, now: datetime) -> list[BlocklistEntry]:
    return list(
        session.scalars(
            select(BlocklistEntry).where(
                BlocklistEntry.blocklist_id == bl.id,
                BlocklistEntry.withdrawn_at.is_(None),
                BlocklistEntry.valid_from <= now,
                or_(BlocklistEntry.valid_until.is_(None), BlocklistEntry.valid_until > now),
            )
        )
    )


def _export_entry(e: BlocklistEntry) -> ExportEntry:
    return ExportEntry(
        id=str(e.id),
        kind=e.kind.value,
        value=e.value,
        host=e.host,
        block_host=e.block_host,
        category=e.category,
        legal_basis=e.legal_basis,
        decision_reference=e.decision_reference,
        valid_from=e.valid_from.isoformat(),
        valid_until=e.valid_until.isoformat() if e.valid_until else None,
        redress_url=e.redress_url,
    )


def publish(
    session: Session, actor: Actor, country: str, *, now: datetime | None = None
) -> BlocklistVersion:
    """A new version with the entries valid now; expired and withdrawn ones leave it."""
    bl = _managed_list(session, actor, country)
    now = now or utcnow()
    # Sorted by host once here, so exports (RPZ, hosts) come out sorted without sorting.
    entries = sorted(
        (_export_entry(e) for e in _active(session, bl, now)),
        key=lambda e: (e.host, e.kind, e.value, e.id),
    )
    last = session.scalar(
        select(func.max(BlocklistVersion.serial)).where(BlocklistVersion.blocklist_id == bl.id)
    )
    blob = writers.encode_snapshot(writers.make_snapshot(entries))
    version = BlocklistVersion(
        blocklist_id=bl.id,
        serial=(last or 0) + 1,
        published_at=now,
        published_by_id=actor.user_id,
        entry_count=len(entries),
        landing_host=bl.landing_host,
        wildcard=bl.wildcard,
        hash_checksum=HashList.from_expressions(writers.hash_expressions(entries)).checksum(),
        snapshot=blob,
    )
    session.add(version)
    session.flush()
    audit.record(
        session,
        actor,
        "blocking.publish",
        object_type="blocklist_version",
        object_id=version.id,
        details={"country": bl.country, "serial": version.serial, "entries": len(entries)},
    )
    return version


def versions(session: Session, actor: Actor, country: str) -> list[BlocklistVersion]:
    bl = get_list(session, actor, country)
    return list(
        session.scalars(
            select(BlocklistVersion)
            .where(BlocklistVersion.blocklist_id == bl.id)
            .order_by(BlocklistVersion.serial.desc())
        )
    )


def _latest(session: Session, bl: Blocklist) -> BlocklistVersion | None:
    return session.scalars(
        select(BlocklistVersion)
        .where(BlocklistVersion.blocklist_id == bl.id)
        .order_by(BlocklistVersion.serial.desc())
        .limit(1)
    ).first()


def get_version(session: Session, actor: Actor, country: str, serial: str) -> BlocklistVersion:
    bl = get_list(session, actor, country)
    latest = _latest(session, bl)
    if serial == "latest" and latest is not None:
        return latest
    found = None
    if serial.isdigit():
        found = session.scalars(
            select(BlocklistVersion).where(
                BlocklistVersion.blocklist_id == bl.id, BlocklistVersion.serial == int(serial)
            )
        ).first()
    if found is None:
        full = None
        tail = "; nothing has been published yet"
        if latest is not None:
            full = f"{API}/{bl.country}/versions/{latest.serial}/{{format}}"
            tail = f"; the latest is {latest.serial}, download it whole at {full}"
        raise UnknownVersion(
            f"version {serial} of the {bl.country} blocklist does not exist" + tail,
            full,
            f"{API}/{bl.country}/versions",
        )
    return found


_SNAPSHOTS: OrderedDict[uuid.UUID, writers.Snapshot] = OrderedDict()
_SNAPSHOT_CACHE_SIZE = 3  # the latest version and the one a diff compares it with


def snapshot_entries(version: BlocklistVersion) -> list[ExportEntry]:
    return snapshot(version).entries


def snapshot(version: BlocklistVersion) -> writers.Snapshot:
    """The content of a version, decoded once and kept for the next formats and diffs."""
    with _CACHE_LOCK:
        cached = _SNAPSHOTS.get(version.id)
        if cached is not None:
            _SNAPSHOTS.move_to_end(version.id)
            return cached
    decoded = writers.decode_snapshot(version.snapshot)
    with _CACHE_LOCK:
        _SNAPSHOTS[version.id] = decoded
        while len(_SNAPSHOTS) > _SNAPSHOT_CACHE_SIZE:
            _SNAPSHOTS.popitem(last=False)
    return decoded


def meta_of(version: BlocklistVersion, country: str) -> ListMeta:
    return ListMeta(
        country, version.serial, version.published_at, version.landing_host, version.wildcard
    )


# Versions never change, so their decoded entries and exports can be kept in memory; the
# lock guards the LRU bookkeeping against the thread pool that runs sync endpoints.
_CACHE_LOCK = threading.Lock()
_EXPORTS: OrderedDict[tuple[uuid.UUID, str], bytes] = OrderedDict()
_EXPORT_CACHE_SIZE = 24


def render(version: BlocklistVersion, country: str, fmt: str) -> bytes:
    """The export bytes of a version (cached: a version never changes)."""
    if fmt not in writers.FORMATS:
        raise NotFound(f"unknown format '{fmt}'; formats: {', '.join(writers.FORMATS)}")
    key = (version.id, fmt)
    with _CACHE_LOCK:
        if key in _EXPORTS:
            _EXPORTS.move_to_end(key)
            return _EXPORTS[key]
    data = writers.render(fmt, snapshot(version), meta_of(version, country))
    with _CACHE_LOCK:
        _EXPORTS[key] = data
        while len(_EXPORTS) > _EXPORT_CACHE_SIZE:
            _EXPORTS.popitem(last=False)
    return data


def download(
    session: Session, actor: Actor, country: str, serial: str, fmt: str
) -> tuple[BlocklistVersion, bytes]:
    version = get_version(session, actor, country, serial)
    data = render(version, _norm_country(country), fmt)
    audit.record(
        session,
        actor,
        "blocking.download",
        object_type="blocklist_version",
        object_id=version.id,
        details={"format": fmt, "serial": version.serial},
    )
    return version, data


def diff(
    session: Session, actor: Actor, country: str, old: str, new: str, fmt: str
) -> dict[str, Any]:
    a = get_version(session, actor, country, old)
    b = get_version(session, actor, country, new)
    cc = _norm_country(country)
    added, removed = writers.diff(fmt, render(a, cc, fmt), render(b, cc, fmt))
    return {
        "country": cc,
        "format": fmt,
        "from": a.serial,
        "to": b.serial,
        "added": added,
        "removed": removed,
    }


def diff_bytes(body: dict[str, Any]) -> bytes:
    """The one byte form of a diff, so its signature can be checked after download."""
    return json.dumps(body, sort_keys=True, separators=(",", ":")).encode()


def signing_key_path(var_dir: Path) -> Path:
    return signing.key_path(var_dir)


def sign(var_dir: Path, data: bytes) -> bytes:
    return signing.sign(signing.load_or_create(signing.key_path(var_dir)), data)


def public_key_pem(var_dir: Path) -> bytes:
    return signing.public_pem(signing.load_or_create(signing.key_path(var_dir)))
