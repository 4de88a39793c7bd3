"""The directory of states: contact points, authorities, EU membership and treaty status.

Shipped as data (``data/directory.csv``, from shared/LEGAL_RULES.md, with as-of date, source
and "to check" flags) and loaded into ``coop_directory`` the first time it is needed. An
operator edits it in the UI or re-imports a CSV of the same shape: rows are matched by
country, so a second import of the same file changes nothing, and each bad row is reported
by its line while the good ones are taken.
"""

from __future__ import annotations

import csv
import io
from dataclasses import dataclass, field
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.cooperation.legalbasis import StateInfo
from contactpoint.cooperation.models import DirectoryEntry
from contactpoint.core import audit
from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.errors import Forbidden, InvalidInput, NotFound

SHIPPED = Path(__file__).resolve().parent / "data" / "directory.csv"
COLUMNS = (
    "country",
    "name",
    "eu_member",
    "eevidence_bound",
    "contact_24_7",
    "central_authority",
    "eevidence_authority",
    "contact_point_org",
    "ets185",
    "ets185_date",
    "ets185_check",
    "cets224",
    "cets224_date",
    "cets224_check",
    "as_of",
    "source",
    "notes",
)
STATUSES = ("party", "signed", "none")
TEXT = ("name", "contact_24_7", "central_authority", "eevidence_authority", "source", "notes")
BOOLS = ("eu_member", "eevidence_bound", "ets185_check", "cets224_check")
DATES = ("ets185_date", "cets224_date", "as_of")


@dataclass
class ImportResult:
    created: int = 0
    updated: int = 0
    unchanged: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)


def may_edit(actor: Actor) -> bool:
    return actor.can("admin:manage") or actor.can("cooperation:manage")


def _bool(value: str, name: str) -> bool:
    v = value.strip().lower()
    if v in ("yes", "true", "1", "y"):
        return True
    if v in ("no", "false", "0", "n", ""):
        return False
    raise ValueError(f"{name}: expected yes or no, got {value!r}")


def _date(value: str, name: str) -> date | None:
    if not value.strip():
        return None
    try:
        return date.fromisoformat(value.strip())
    except ValueError:
        raise ValueError(f"{name}: expected a date YYYY-MM-DD, got {value!r}") from None


def parse_row(raw: dict[str, str], orgs: dict[str, Organisation]) -> dict[str, Any]:
    """One CSV row (or form) as entry values; ValueError names the column at fault."""
    out: dict[str, Any] = {}
    country = (raw.get("country") or "").strip().upper()
    if len(country) != 2 or not country.isalpha():
        raise ValueError(f"country: expected a two-letter code, got {raw.get('country')!r}")
    out["country"] = country
    for name in TEXT:
        out[name] = (raw.get(name) or "").strip() or None
    if not out["name"]:
        raise ValueError("name: required")
    for name in BOOLS:
        out[name] = _bool(raw.get(name) or "", name)
    for name in DATES:
        out[name] = _date(raw.get(name) or "", name)
    for name in ("ets185", "cets224"):
        v = (raw.get(name) or "none").strip().lower() or "none"
        if v not in STATUSES:
            raise ValueError(f"{name}: expected one of {', '.join(STATUSES)}, got {v!r}")
        out[name] = v
    org_name = (raw.get("contact_point_org") or "").strip()
    if org_name:
        if org_name not in orgs:
            raise ValueError(f"contact_point_org: no organisation named {org_name!r}")
        out["contact_point_org_id"] = orgs[org_name].id
    else:
        out["contact_point_org_id"] = None
    return out


def _orgs(session: Session) -> dict[str, Organisation]:
    return {o.name: o for o in session.scalars(select(Organisation))}


def import_csv(session: Session, actor: Actor, text: str) -> ImportResult:
    """Upsert every good row by country; report bad rows by line (line 1 is the header).

    The shipped entries are loaded first, so importing a few states keeps all the others."""
    if actor is not SYSTEM and not may_edit(actor):
        raise Forbidden("editing the directory needs an administrator or contact-point officer")
    ensure_seeded(session)
    return _import(session, actor, text)


def _import(session: Session, actor: Actor, text: str) -> ImportResult:
    reader = csv.DictReader(io.StringIO(text))
    missing = [c for c in ("country", "name") if c not in (reader.fieldnames or [])]
    if missing:
        raise InvalidInput(
            f"the CSV header lacks {', '.join(missing)}",
            errors=[{"field": c, "line": 1, "message": "missing column"} for c in missing],
        )
    unknown = [c for c in reader.fieldnames or [] if c not in COLUMNS]
    result = ImportResult()
    if unknown:
        result.errors.append(
            {"line": 1, "field": unknown[0], "message": f"unknown columns ignored: {unknown}"}
        )
    orgs = _orgs(session)
    existing = {e.country: e for e in session.scalars(select(DirectoryEntry))}
    for row in reader:
        line = reader.line_num
        try:
            values = parse_row(row, orgs)
        except ValueError as exc:
            col, _, msg = str(exc).partition(": ")
            result.errors.append({"line": line, "field": col, "message": msg or str(exc)})
            continue
        entry = existing.get(values["country"])
        if entry is None:
            entry = DirectoryEntry(**values)
            session.add(entry)
            existing[entry.country] = entry
            result.created += 1
        elif all(getattr(entry, k) == v for k, v in values.items()):
            result.unchanged += 1
        else:
            for k, v in values.items():
                setattr(entry, k, v)
            result.updated += 1
    session.flush()
    audit.record(
        session,
        actor,
        "cooperation.directory.imported",
        object_type="coop_directory",
        details={
            "created": result.created,
            "updated": result.updated,
            "rejected": len([e for e in result.errors if e["line"] > 1]),
        },
    )
    return result


def ensure_seeded(session: Session) -> None:
    """Load the shipped directory the first time the table is needed."""
    if session.scalars(select(DirectoryEntry.id).limit(1)).first() is None:
        _import(session, SYSTEM, SHIPPED.read_text(encoding="utf-8"))


def entries(session: Session) -> list[DirectoryEntry]:
    ensure_seeded(session)
    return list(session.scalars(select(DirectoryEntry).order_by(DirectoryEntry.country)))


def get_entry(session: Session, country: str) -> DirectoryEntry:
    ensure_seeded(session)
    entry = session.scalars(
        select(DirectoryEntry).where(DirectoryEntry.country == country.upper())
    ).first()
    if entry is None:
        raise NotFound(f"no directory entry for {country}")
    return entry


def find_entry(session: Session, country: str) -> DirectoryEntry | None:
    try:
        return get_entry(session, country)
    except NotFound:
        return None


def state_info(session: Session, country: str) -> StateInfo:
    """What the legal-basis proposal needs; a state absent from the directory has nothing."""
    e = find_entry(session, country)
    if e is None:
        return StateInfo(country.upper())
    return StateInfo(
        country=e.country,
        eu_member=e.eu_member,
        eevidence_bound=e.eevidence_bound,
        ets185_party=e.ets185 == "party",
        cets224_party=e.cets224 == "party",
    )


def update_entry(
    session: Session, actor: Actor, country: str, raw: dict[str, str]
) -> DirectoryEntry:
    """Edit one state's entry from form values (same columns as the CSV)."""
    if not may_edit(actor):
        raise Forbidden("editing the directory needs an administrator or contact-point officer")
    entry = get_entry(session, country)
    try:
        values = parse_row({**raw, "country": entry.country}, _orgs(session))
    except ValueError as exc:
        col, _, msg = str(exc).partition(": ")
        raise InvalidInput(str(exc), errors=[{"field": col, "message": msg}]) from None
    changed = {k: str(v) for k, v in values.items() if getattr(entry, k) != v}
    for k, v in values.items():
        setattr(entry, k, v)
    session.flush()
    audit.record(
        session,
        actor,
        "cooperation.directory.updated",
        object_type="coop_directory",
        object_id=entry.country,
        details={"changed": changed},
    )
    return entry


def export_row(entry: DirectoryEntry, org_names: dict[Any, str]) -> dict[str, str]:
    def fmt(v: Any) -> str:
        if isinstance(v, bool):
            return "yes" if v else "no"
        return "" if v is None else str(v)

    row = {c: fmt(getattr(entry, c, None)) for c in COLUMNS if c != "contact_point_org"}
    row["contact_point_org"] = org_names.get(entry.contact_point_org_id, "")
    return row
