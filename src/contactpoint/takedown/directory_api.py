"""`/api/v1/providers`: the provider directory; `/api/v1/takedown/compliance`: figures.

Reading needs ``takedown:manage`` or ``providers:manage``; changing needs
``providers:manage``; the compliance figures need ``takedown:compliance``.
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import UTC, datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query, Request

from contactpoint.accounts.deps import require_api
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.core.errors import InvalidInput, TooLarge
from contactpoint.core.web import DB
from contactpoint.takedown import compliance, directory, directory_csv
from contactpoint.takedown.directory_schemas import (
    DomainIn,
    DomainOut,
    ImportOut,
    NetworkIn,
    NetworkOut,
    ProviderDetail,
    ProviderIn,
    ProviderOut,
    ProviderPage,
    ProviderPatch,
    ResolutionOut,
)

router = APIRouter(prefix="/api/v1", tags=["providers"])
AnyToken = Annotated[Actor, Depends(require_api())]
Manager = Annotated[Actor, Depends(require_api("providers:manage"))]
Compliance = Annotated[Actor, Depends(require_api("takedown:compliance"))]
CSV_MAX = 20 * 2**20


def _detail(db: DB, p: Any) -> ProviderDetail:
    return ProviderDetail(
        **ProviderOut.model_validate(p).model_dump(),
        networks=[NetworkOut.model_validate(n) for n in directory.networks_of(db, p.id)],
        domains=[DomainOut.model_validate(d) for d in directory.domains_of(db, p.id)],
    )


def _encode(last: str) -> str:
    return base64.urlsafe_b64encode(last.encode()).decode()


def _decode(cursor: str | None) -> str | None:
    if not cursor:
        return None
    try:
        last = base64.b64decode(cursor.encode(), altchars=b"-_", validate=True).decode()
        if not last:
            raise ValueError("empty cursor")
        return last
    except (binascii.Error, ValueError):
        raise InvalidInput(
            "cursor is not one this API gave out",
            errors=[{"field": "cursor", "message": "invalid cursor"}],
        ) from None


@router.get("/providers", response_model=ProviderPage)
def list_providers(
    db: DB,
    actor: AnyToken,
    q: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    active: bool | None = None,
    asn: int | None = None,
    cursor: Annotated[str | None, Query(description="next_cursor of the previous page")] = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
) -> Any:
    """Providers by name; `q` searches names, domains and abuse addresses."""
    if kind and kind not in {k.value for k in directory.ProviderKind}:
        raise InvalidInput(
            f"kind: unknown kind {kind!r}",
            errors=[{"field": "kind", "message": f"unknown kind {kind!r}"}],
        )
    rows = directory.list_providers(
        db,
        actor,
        q=q,
        kind=kind,
        country=country,
        active=active,
        asn=asn,
        after=_decode(cursor),
        limit=limit + 1,
    )
    more = len(rows) > limit
    rows = rows[:limit]
    return ProviderPage(
        items=[ProviderOut.model_validate(p) for p in rows],
        next_cursor=_encode(rows[-1].name) if more else None,
    )


@router.post("/providers", response_model=ProviderDetail, status_code=201)
def create_provider(data: ProviderIn, db: DB, actor: Manager) -> Any:
    """Add a provider (providers:manage); 409 when the name is taken."""
    p = directory.create_provider(db, actor, data.model_dump())
    return _detail(db, p)


@router.get("/providers/resolve", response_model=ResolutionOut)
def resolve(url: str, db: DB, actor: AnyToken) -> Any:
    """The provider hosting a URL: by the longest registered domain suffix, else by the
    longest network prefix containing its address (DNS is asked when the host is a name)."""
    r = directory.resolve_for(db, actor, url)
    if r is None:
        return ResolutionOut(found=False)
    return ResolutionOut(
        found=True,
        provider=ProviderOut.model_validate(r.provider),
        matched_by=r.matched_by,
        matched=r.matched,
        ip=r.ip,
    )


@router.post("/providers/import", response_model=ImportOut)
async def import_csv(request: Request, db: DB, actor: Manager) -> Any:
    """A CSV body (docs/formats/providers-csv.md); bad rows are reported by line and field
    and the good ones are kept; a rerun adds nothing."""
    body = await request.body()
    if len(body) > CSV_MAX:
        raise TooLarge(f"the file is larger than {CSV_MAX} bytes")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the file is not UTF-8 (byte {exc.start})") from None
    result = directory_csv.import_csv(db, actor, text)
    counts = {k: v for k, v in result.as_dict().items() if k != "errors"}
    return ImportOut(created=counts, errors=result.errors)


@router.get("/providers/{provider_id}", response_model=ProviderDetail)
def get_provider(provider_id: uuid.UUID, db: DB, actor: AnyToken) -> Any:
    """One provider with its networks and domains."""
    return _detail(db, directory.get_provider(db, actor, provider_id))


@router.patch("/providers/{provider_id}", response_model=ProviderDetail)
def update_provider(provider_id: uuid.UUID, data: ProviderPatch, db: DB, actor: Manager) -> Any:
    """Change the fields given; `active: false` deactivates (no longer resolved)."""
    p = directory.update_provider(db, actor, provider_id, data.model_dump(exclude_unset=True))
    return _detail(db, p)


@router.post("/providers/{provider_id}/networks", response_model=NetworkOut, status_code=201)
def add_network(provider_id: uuid.UUID, data: NetworkIn, db: DB, actor: Manager) -> Any:
    """Register a CIDR (IPv4 or IPv6) with its AS; 409 when the CIDR is registered."""
    return directory.add_network(db, actor, provider_id, data.cidr, data.asn)


@router.delete("/providers/{provider_id}/networks/{network_id}", status_code=204)
def remove_network(provider_id: uuid.UUID, network_id: uuid.UUID, db: DB, actor: Manager) -> None:
    """Remove one of the provider's networks."""
    directory.remove_network(db, actor, network_id, provider_id=provider_id)


@router.post("/providers/{provider_id}/domains", response_model=DomainOut, status_code=201)
def add_domain(provider_id: uuid.UUID, data: DomainIn, db: DB, actor: Manager) -> Any:
    """Register a domain (and everything under it); 409 when it is registered."""
    return directory.add_domain(db, actor, provider_id, data.domain)


@router.delete("/providers/{provider_id}/domains/{domain_id}", status_code=204)
def remove_domain(provider_id: uuid.UUID, domain_id: uuid.UUID, db: DB, actor: Manager) -> None:
    """Remove one of the provider's domains."""
    directory.remove_domain(db, actor, domain_id, provider_id=provider_id)


def parse_day(value: str | None, name: str) -> datetime | None:
    """A date (YYYY-MM-DD, midnight UTC) or an ISO datetime; InvalidInput names the field."""
    if not value:
        return None
    try:
        when = datetime.fromisoformat(value.strip())
    except ValueError:
        raise InvalidInput(
            f"{name}: expected a date YYYY-MM-DD, got {value!r}",
            errors=[{"field": name, "message": "not a date"}],
        ) from None
    return when if when.tzinfo else when.replace(tzinfo=UTC)


@router.get("/takedown/compliance")
def compliance_figures(
    db: DB,
    actor: Compliance,
    since: Annotated[str | None, Query(description="Notices sent from (YYYY-MM-DD)")] = None,
    until: Annotated[str | None, Query(description="Notices sent before (YYYY-MM-DD)")] = None,
    provider_id: uuid.UUID | None = None,
    sort: str = "provider",
    desc: bool = False,
) -> Any:
    """Per provider: notices, median hours to removal, shares removed within 1 h, 3 days and
    7 days, refused, open and overdue (definitions: docs/compliance.md)."""
    rows = compliance.figures(
        db,
        actor,
        now=utcnow(),
        since=parse_day(since, "since"),
        until=parse_day(until, "until"),
        provider_id=provider_id,
        sort=sort,
        descending=desc,
    )
    return {"since": since, "until": until, "providers": [r.as_dict() for r in rows]}
