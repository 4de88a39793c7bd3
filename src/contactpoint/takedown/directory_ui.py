"""Pages: /providers (list, search, detail, edit, CSV import, resolve) and
/takedown/compliance (figures per provider, sortable, with a period)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from contactpoint.accounts.deps import require_page
from contactpoint.accounts.models import Organisation
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.core.errors import ContactpointError
from contactpoint.core.web import DB, render
from contactpoint.takedown import compliance, directory, directory_csv
from contactpoint.takedown.directory_api import parse_day
from contactpoint.takedown.directory_models import ProviderKind

router = APIRouter(include_in_schema=False)
Staff = Annotated[Actor, Depends(require_page())]
FORM_FIELDS = directory.FIELDS
NETWORKS_SHOWN = 500


def _back(path: str, **params: str) -> RedirectResponse:
    query = urlencode({k: v for k, v in params.items() if v})
    return RedirectResponse(path + ("?" + query if query else ""), status_code=303)


def _kinds() -> list[str]:
    return [k.value for k in ProviderKind]


@router.get("/providers")
def providers_page(
    request: Request,
    db: DB,
    actor: Staff,
    q: str = "",
    kind: str = "",
    country: str = "",
    url: str = "",
    error: str = "",
    note: str = "",
) -> Response:
    directory.require_read(actor)
    if kind not in _kinds():
        kind = ""
    rows = directory.list_providers(
        db, actor, q=q or None, kind=kind or None, country=country or None, limit=500
    )
    resolution = None
    resolve_error = ""
    if url:
        try:
            resolution = directory.resolve_for(db, actor, url)
        except ContactpointError as exc:
            resolve_error = exc.detail
    ctx: dict[str, Any] = {
        "providers": rows,
        "q": q,
        "kind": kind,
        "country": country,
        "kinds": _kinds(),
        "manage": directory.may_edit(actor),
        "url": url,
        "resolution": resolution,
        "resolve_error": resolve_error,
        "error": error,
        "note": note,
    }
    return render(request, "providers/list.html", ctx)


def _form_values(form: Any) -> dict[str, str]:
    return {k: str(form.get(k) or "") for k in FORM_FIELDS}


@router.post("/providers")
async def create(request: Request, db: DB, actor: Staff) -> Response:
    directory.require_edit(actor)
    form = await request.form()
    try:
        p = directory.create_provider(db, actor, _form_values(form))
    except ContactpointError as exc:
        if exc.status == 403:
            raise
        return _back("/providers", error=exc.detail)
    return _back(f"/providers/{p.id}", note="created")


@router.post("/providers/import")
async def import_file(db: DB, actor: Staff, file: Annotated[UploadFile, File()]) -> Response:
    directory.require_edit(actor)
    text = (await file.read()).decode("utf-8-sig", errors="replace")
    try:
        result = directory_csv.import_csv(db, actor, text)
    except ContactpointError as exc:
        if exc.status == 403:
            raise
        return _back("/providers", error=exc.detail)
    errors = "; ".join(
        f"line {e['line']}: {e['field']}: {e['message']}" for e in result.errors[:20]
    )
    note = (
        f"providers created {result.providers_created}, updated {result.providers_updated}; "
        f"networks added {result.networks_added}, moved {result.networks_moved}; "
        f"domains added {result.domains_added}, moved {result.domains_moved}; "
        f"unchanged rows {result.unchanged_rows}; rejected rows "
        f"{len([e for e in result.errors if e['line'] > 1])}"
    )
    return _back("/providers", note=note, error=errors)


@router.get("/providers/export.csv")
def export_file(db: DB, actor: Staff) -> Response:
    directory.require_read(actor)
    return Response(
        directory_csv.export_csv(db),
        media_type="text/csv; charset=utf-8",
        headers={"content-disposition": 'attachment; filename="providers.csv"'},
    )


@router.get("/providers/{provider_id}")
def detail(
    provider_id: uuid.UUID,
    request: Request,
    db: DB,
    actor: Staff,
    error: str = "",
    note: str = "",
) -> Response:
    p = directory.get_provider(db, actor, provider_id)
    ctx = {
        "p": p,
        # A large AS has thousands of ranges: the page shows the first ones and the count.
        "networks": directory.networks_of(db, p.id, limit=NETWORKS_SHOWN),
        "network_count": directory.count_networks(db, p.id),
        "domains": directory.domains_of(db, p.id),
        "org_name": p.org_id and _org_name(db, p.org_id),
        "kinds": _kinds(),
        "manage": directory.may_edit(actor),
        "error": error,
        "note": note,
    }
    return render(request, "providers/detail.html", ctx)


def _org_name(db: DB, org_id: uuid.UUID) -> str:
    org = db.get(Organisation, org_id)
    return org.name if org else ""


@router.post("/providers/{provider_id}")
async def edit(provider_id: uuid.UUID, request: Request, db: DB, actor: Staff) -> Response:
    directory.require_edit(actor)
    form = await request.form()
    values: dict[str, Any] = _form_values(form)
    values["active"] = form.get("active") == "true"
    try:
        directory.update_provider(db, actor, provider_id, values)
    except ContactpointError as exc:
        if exc.status in (403, 404):
            raise
        return _back(f"/providers/{provider_id}", error=exc.detail)
    return _back(f"/providers/{provider_id}", note="saved")


@router.post("/providers/{provider_id}/networks")
def add_network(
    provider_id: uuid.UUID,
    db: DB,
    actor: Staff,
    cidr: Annotated[str, Form()],
    asn: Annotated[str, Form()] = "",
) -> Response:
    try:
        n = directory.add_network(db, actor, provider_id, cidr, asn or None)
    except ContactpointError as exc:
        if exc.status in (403, 404):
            raise
        return _back(f"/providers/{provider_id}", error=exc.detail)
    return _back(f"/providers/{provider_id}", note=f"added {n.cidr}")


@router.post("/providers/{provider_id}/domains")
def add_domain(
    provider_id: uuid.UUID, db: DB, actor: Staff, domain: Annotated[str, Form()]
) -> Response:
    try:
        d = directory.add_domain(db, actor, provider_id, domain)
    except ContactpointError as exc:
        if exc.status in (403, 404):
            raise
        return _back(f"/providers/{provider_id}", error=exc.detail)
    return _back(f"/providers/{provider_id}", note=f"added {d.domain}")


@router.post("/providers/{provider_id}/networks/{network_id}/delete")
def delete_network(provider_id: uuid.UUID, network_id: uuid.UUID, db: DB, actor: Staff) -> Response:
    directory.remove_network(db, actor, network_id, provider_id=provider_id)
    return _back(f"/providers/{provider_id}", note="removed")


@router.post("/providers/{provider_id}/domains/{domain_id}/delete")
def delete_domain(provider_id: uuid.UUID, domain_id: uuid.UUID, db: DB, actor: Staff) -> Response:
    directory.remove_domain(db, actor, domain_id, provider_id=provider_id)
    return _back(f"/providers/{provider_id}", note="removed")


# --- compliance ----------------------------------------------------------------------------


@router.get("/takedown/compliance")
def compliance_page(
    request: Request,
    db: DB,
    actor: Staff,
    since: str = "",
    until: str = "",
    sort: str = "provider",
    desc: bool = False,
) -> Response:
    error = ""
    if sort not in compliance.SORT_KEYS:
        sort = "provider"
    try:
        rows = compliance.figures(
            db,
            actor,
            now=utcnow(),
            since=parse_day(since, "since"),
            until=parse_day(until, "until"),
            sort=sort,
            descending=desc,
        )
    except ContactpointError as exc:
        if exc.status == 403:
            raise
        rows, error = [], exc.detail
    ctx = {
        "rows": rows,
        "since": since,
        "until": until,
        "sort": sort,
        "desc": desc,
        "columns": compliance.SORT_KEYS,
        "error": error,
        "own_only": compliance.own_provider_ids(db, actor) is not None,
    }
    return render(request, "compliance/index.html", ctx)
