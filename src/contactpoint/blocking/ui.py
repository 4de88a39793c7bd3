"""Pages: the public stop page (/blocked), the published signing key (well-known URL), and
/blocklists for providers (download) and the national authority (entries, publish)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any
from urllib.parse import urlencode

from fastapi import APIRouter, Depends, File, Form, Request, UploadFile
from fastapi.responses import RedirectResponse, Response

from contactpoint.accounts.deps import PageActor, require_page
from contactpoint.blocking import lookups, service, writers
from contactpoint.core import i18n
from contactpoint.core.actor import Actor
from contactpoint.core.errors import ContactpointError, Forbidden
from contactpoint.core.web import DB, render
from contactpoint.taxonomy import service as taxonomy

router = APIRouter(include_in_schema=False)
KEY_URL = "/.well-known/contactpoint/blocklist-signing-key.pem"
Staff = Annotated[Actor, Depends(require_page())]


@router.get(KEY_URL)
def signing_key(request: Request) -> Response:
    pem = service.public_key_pem(request.app.state.settings.var_dir)
    return Response(pem, media_type="application/x-pem-file")


@router.get("/blocked")
def blocked(request: Request, db: DB, actor: PageActor, entry: str = "") -> Response:
    """The stop page. Without ``entry``, the Host header names the blocked site (a resolver
    sends blocked names to this server through the RPZ landing CNAME)."""
    ref = entry.strip()
    if not ref:
        host = (request.headers.get("host") or "").split(":")[0]
        own = request.app.state.settings.base_url.split("//")[-1].split("/")[0].split(":")[0]
        ref = host if host and host != own else ""
    infos = lookups.stop_page(db, ref) if ref else []
    lang = i18n.current_language()
    labels = {i.entry.category: taxonomy.crime_kind(i.entry.category).label(lang) for i in infos}
    return render(request, "blocking/blocked.html", {"ref": ref, "infos": infos, "labels": labels})


def _guard(actor: Actor) -> None:
    if not (actor.can("blocklists:read") or actor.can("blocklists:manage")):
        raise Forbidden("your roles allow neither 'blocklists:read' nor 'blocklists:manage'")


@router.get("/blocklists")
def page(request: Request, db: DB, actor: Staff, error: str = "", note: str = "") -> Response:
    _guard(actor)
    country = (actor.country or "").upper()
    ctx: dict[str, Any] = {
        "country": country,
        "formats": list(writers.FORMATS),
        "manage": service.may_manage(actor, country),
        "error": error,
        "note": note,
        "versions": [],
        "entries": [],
        "blocklist": None,
        "key_url": KEY_URL,
    }
    try:
        ctx["blocklist"] = service.get_list(db, actor, country)
        ctx["versions"] = service.versions(db, actor, country)
    except ContactpointError:
        pass  # nothing kept for this country yet
    if ctx["manage"] and ctx["blocklist"] is not None:
        ctx["entries"] = service.list_entries(db, actor, country)
    return render(request, "blocking/lists.html", ctx)


@router.get("/blocklists/{serial}/{fmt}")
def page_download(serial: str, fmt: str, request: Request, db: DB, actor: Staff) -> Response:
    _guard(actor)
    want_sig = fmt.endswith(".sig")
    fmt = fmt.removesuffix(".sig")
    version, data = service.download(db, actor, actor.country or "", serial, fmt)
    name = f"blocklist-{actor.country}-{version.serial}.{fmt}"
    if want_sig:
        data, name = service.sign(request.app.state.settings.var_dir, data), name + ".sig"
    return Response(
        data,
        media_type="application/octet-stream",
        headers={"content-disposition": f'attachment; filename="{name}"'},
    )


def _back(**params: str) -> RedirectResponse:
    return RedirectResponse("/blocklists?" + urlencode(params), status_code=303)


@router.post("/blocklists/entries")
def add(
    db: DB,
    actor: Staff,
    kind: Annotated[str, Form()],
    value: Annotated[str, Form()],
    category: Annotated[str, Form()],
    legal_basis: Annotated[str, Form()],
    decision_reference: Annotated[str, Form()],
    redress_text: Annotated[str, Form()],
    redress_url: Annotated[str, Form()] = "",
    valid_until: Annotated[str, Form()] = "",
    block_host: Annotated[str, Form()] = "",
) -> Response:
    data = {
        "kind": kind,
        "value": value,
        "category": category,
        "legal_basis": legal_basis,
        "decision_reference": decision_reference,
        "redress_text": redress_text,
        "redress_url": redress_url,
        "valid_until": valid_until,
        "block_host": block_host,
    }
    try:
        row = service.add_entry(db, actor, actor.country or "", data)
    except ContactpointError as exc:
        if exc.status == 403:
            raise
        return _back(error=exc.detail)
    return _back(note=f"added {row.kind.value} {row.value}")


@router.post("/blocklists/bulk")
async def bulk(db: DB, actor: Staff, file: Annotated[UploadFile, File()]) -> Response:
    text = (await file.read()).decode("utf-8-sig", errors="replace")
    result = service.bulk_add(db, actor, actor.country or "", text)
    errors = "; ".join(
        f"line {e['line']}: {e['field']}: {e['message']}" for e in result["errors"][:20]
    )
    return _back(note=f"added {result['added']}, skipped {result['skipped']}", error=errors)


@router.post("/blocklists/entries/{entry_id}/withdraw")
def withdraw(entry_id: uuid.UUID, db: DB, actor: Staff, reason: Annotated[str, Form()]) -> Response:
    try:
        service.withdraw(db, actor, actor.country or "", entry_id, reason)
    except ContactpointError as exc:
        if exc.status == 403:
            raise
        return _back(error=exc.detail)
    return _back(note="withdrawn")


@router.post("/blocklists/publish")
def publish(db: DB, actor: Staff) -> Response:
    v = service.publish(db, actor, actor.country or "")
    return _back(note=f"published version {v.serial} with {v.entry_count} entries")
