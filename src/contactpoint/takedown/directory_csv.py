"""CSV import and export of the provider directory (format: docs/formats/providers-csv.md).

One row per provider network or domain (or a provider alone). Rows are matched on the
provider's name, the network's CIDR and the domain, so a second run of the same file adds
nothing; a bad row is reported by line and field and the good ones are still taken.
"""

from __future__ import annotations

import csv
import io
import uuid
from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.errors import InvalidInput
from contactpoint.takedown import directory
from contactpoint.takedown.directory_models import Provider, ProviderDomain, ProviderNetwork
from contactpoint.takedown.directory_net import IPNetwork

PROVIDER_COLUMNS = (
    "kind",
    "country",
    "org",
    "abuse_email",
    "abuse_url",
    "tco_contact",
    "notes",
)
COLUMNS = ("provider", *PROVIDER_COLUMNS, "cidr", "asn", "domain")


@dataclass
class CsvImportResult:
    providers_created: int = 0
    providers_updated: int = 0
    networks_added: int = 0
    networks_moved: int = 0
    domains_added: int = 0
    domains_moved: int = 0
    unchanged_rows: int = 0
    errors: list[dict[str, Any]] = field(default_factory=list)

    def as_dict(self) -> dict[str, Any]:
        return dict(self.__dict__)


def _error(exc: InvalidInput, line: int) -> dict[str, Any]:
    first = exc.errors[0] if exc.errors else {"field": "", "message": exc.detail}
    return {"line": line, "field": first.get("field", ""), "message": first["message"]}


def import_csv(session: Session, actor: Actor, text: str) -> CsvImportResult:
    """Upsert every good row; report bad rows by line (line 1 is the header)."""
    directory.require_edit(actor)
    reader = csv.DictReader(io.StringIO(text))
    header = [h.strip() for h in reader.fieldnames or []]
    reader.fieldnames = header
    if "provider" not in header:
        raise InvalidInput(
            "the CSV header lacks the provider column",
            errors=[{"line": 1, "field": "provider", "message": "missing column"}],
        )
    result = CsvImportResult()
    unknown = [c for c in header if c not in COLUMNS]
    if unknown:
        result.errors.append(
            {"line": 1, "field": unknown[0], "message": f"unknown columns ignored: {unknown}"}
        )
    providers = {p.name: p for p in session.scalars(select(Provider))}
    for row in reader:
        line = reader.line_num
        raw = {k: (v or "").strip() for k, v in row.items() if k in COLUMNS}
        if not any(raw.values()):
            continue
        try:
            changed = _apply_row(session, raw, providers, result)
        except InvalidInput as exc:
            result.errors.append(_error(exc, line))
            continue
        if not changed:
            result.unchanged_rows += 1
    session.flush()
    audit.record(
        session,
        actor,
        "takedown.providers.imported",
        object_type="takedown_provider",
        details={k: v for k, v in result.as_dict().items() if k != "errors"}
        | {"rejected": len([e for e in result.errors if e["line"] > 1])},
    )
    return result


def _apply_row(
    session: Session,
    raw: dict[str, str],
    providers: dict[str, Provider],
    result: CsvImportResult,
) -> bool:
    """Validate the whole row first, then write it; True when something changed."""
    name = raw.get("provider", "")
    if not name:
        raise InvalidInput(
            "provider: required", errors=[{"field": "provider", "message": "required"}]
        )
    given = {k: raw[k] for k in PROVIDER_COLUMNS if raw.get(k)}
    values = directory.clean_provider_values(session, {"name": name, **given})
    net = asn = None
    if raw.get("cidr"):
        net, asn = directory.clean_network(raw["cidr"], raw.get("asn") or None)
    elif raw.get("asn"):
        raise InvalidInput(
            "asn: given without a cidr", errors=[{"field": "asn", "message": "needs a cidr"}]
        )
    domain = directory.clean_domain(raw["domain"]) if raw.get("domain") else None
    provider = providers.get(values["name"])
    changed = False
    if provider is None:
        if "country" not in values:
            raise InvalidInput(
                "country: required for a new provider",
                errors=[{"field": "country", "message": "required for a new provider"}],
            )
        provider = Provider(id=uuid.uuid4(), active=True, **{"kind": "hosting", **values})
        session.add(provider)
        providers[provider.name] = provider
        result.providers_created += 1
        changed = True
    else:
        diff = {k: v for k, v in values.items() if getattr(provider, k) != v}
        if diff:
            for k, v in diff.items():
                setattr(provider, k, v)
            result.providers_updated += 1
            changed = True
    session.flush()
    if net is not None:
        changed |= _upsert_network(session, provider, net, asn, result)
    if domain is not None:
        changed |= _upsert_domain(session, provider, domain, result)
    return changed


def _upsert_network(
    session: Session,
    provider: Provider,
    net: IPNetwork,
    asn: int | None,
    result: CsvImportResult,
) -> bool:
    row = session.scalars(select(ProviderNetwork).where(ProviderNetwork.cidr == str(net))).first()
    if row is None:
        session.add(directory.new_network(provider.id, net, asn))
        result.networks_added += 1
        return True
    if row.provider_id == provider.id and (asn is None or row.asn == asn):
        return False
    # The file is the operator's word on who holds the range now.
    row.provider_id = provider.id
    row.asn = asn if asn is not None else row.asn
    result.networks_moved += 1
    return True


def _upsert_domain(
    session: Session, provider: Provider, domain: str, result: CsvImportResult
) -> bool:
    row = session.scalars(select(ProviderDomain).where(ProviderDomain.domain == domain)).first()
    if row is None:
        session.add(ProviderDomain(provider_id=provider.id, domain=domain))
        result.domains_added += 1
        return True
    if row.provider_id == provider.id:
        return False
    row.provider_id = provider.id
    result.domains_moved += 1
    return True


def export_rows(session: Session) -> list[dict[str, str]]:
    """The directory in the import format: a row per network and domain (and one for a
    provider that has neither), so export then import is a no-op."""
    orgs = _org_names(session)
    out: list[dict[str, str]] = []
    nets: dict[uuid.UUID, list[ProviderNetwork]] = {}
    for n in session.scalars(select(ProviderNetwork).order_by(ProviderNetwork.range_start)):
        nets.setdefault(n.provider_id, []).append(n)
    doms: dict[uuid.UUID, list[ProviderDomain]] = {}
    for d in session.scalars(select(ProviderDomain).order_by(ProviderDomain.domain)):
        doms.setdefault(d.provider_id, []).append(d)
    for p in session.scalars(select(Provider).order_by(Provider.name)):
        base = {
            "provider": p.name,
            "kind": p.kind.value,
            "country": p.country,
            "org": orgs.get(p.org_id, "") if p.org_id else "",
            "abuse_email": p.abuse_email or "",
            "abuse_url": p.abuse_url or "",
            "tco_contact": p.tco_contact or "",
            "notes": p.notes or "",
            "cidr": "",
            "asn": "",
            "domain": "",
        }
        items = [{"cidr": n.cidr, "asn": str(n.asn or "")} for n in nets.get(p.id, [])]
        items += [{"domain": d.domain} for d in doms.get(p.id, [])]
        for item in items or [{}]:
            out.append(base | item)
    return out


def export_csv(session: Session) -> str:
    buf = io.StringIO()
    writer = csv.DictWriter(buf, fieldnames=list(COLUMNS), lineterminator="\n")
    writer.writeheader()
    writer.writerows(export_rows(session))
    return buf.getvalue()


def _org_names(session: Session) -> dict[Any, str]:
    return {o.id: o.name for o in session.scalars(select(Organisation))}
