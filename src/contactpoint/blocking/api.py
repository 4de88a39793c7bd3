"""`/api/v1/blocking`: national blocklists, their versions, exports, diffs and signatures.

Providers (``blocklists:read``) see only their own country's list; other lists are 404.
Each export ``/{version}/{format}`` has its detached Ed25519 signature at ``.../{format}.sig``.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Body, Depends, Query, Request, Response
from fastapi.responses import JSONResponse

from contactpoint.accounts.deps import require_api
from contactpoint.blocking import lookups, service, writers
from contactpoint.blocking.models import BlocklistVersion
from contactpoint.blocking.schemas import (
    BulkOut,
    CheckIn,
    EntryIn,
    EntryOut,
    ListOut,
    ListSettingsIn,
    VersionOut,
    WithdrawIn,
)
from contactpoint.core.actor import Actor
from contactpoint.core.errors import InvalidInput, TooLarge, problem
from contactpoint.core.web import DB

router = APIRouter(prefix="/api/v1/blocking", tags=["blocking"])
AnyToken = Annotated[Actor, Depends(require_api())]
Manager = Annotated[Actor, Depends(require_api("blocklists:manage"))]
BULK_MAX = 20 * 2**20


def _var_dir(request: Request) -> Any:
    return request.app.state.settings.var_dir


def _unknown(exc: service.UnknownVersion) -> JSONResponse:
    body = problem(404, "Not found", exc.detail)
    body["full_list"] = exc.full_list
    body["versions"] = exc.versions
    return JSONResponse(body, status_code=404, media_type="application/problem+json")


def _files(country: str, serial: int) -> dict[str, str]:
    return {f: f"{service.API}/{country}/versions/{serial}/{f}" for f in writers.FORMATS}


def _version_out(country: str, v: BlocklistVersion) -> VersionOut:
    return VersionOut(
        serial=v.serial,
        published_at=v.published_at,
        entry_count=v.entry_count,
        hash_checksum=v.hash_checksum,
        files=_files(country, v.serial),
    )


@router.get("/lists", response_model=list[ListOut])
def lists(db: DB, actor: AnyToken) -> Any:
    """The lists this token may download: its organisation's country only."""
    return [
        ListOut(
            country=b.country,
            landing_host=b.landing_host,
            wildcard=b.wildcard,
            versions=f"{service.API}/{b.country}/versions",
        )
        for b in service.visible_lists(db, actor)
    ]


@router.put("/lists/{country}", response_model=ListOut)
def configure(country: str, data: ListSettingsIn, db: DB, actor: Manager) -> Any:
    b = service.configure(
        db, actor, country, landing_host=data.landing_host, wildcard=data.wildcard
    )
    return ListOut(
        country=b.country,
        landing_host=b.landing_host,
        wildcard=b.wildcard,
        versions=f"{service.API}/{b.country}/versions",
    )


@router.get("/lists/{country}/entries", response_model=list[EntryOut])
def entries(country: str, db: DB, actor: Manager, include_withdrawn: bool = False) -> Any:
    return service.list_entries(db, actor, country, include_withdrawn=include_withdrawn)


@router.post("/lists/{country}/entries", response_model=EntryOut, status_code=201)
def add_entry(country: str, data: EntryIn, db: DB, actor: Manager) -> Any:
    return service.add_entry(db, actor, country, data.model_dump())


@router.post("/lists/{country}/entries/bulk", response_model=BulkOut)
async def bulk(country: str, request: Request, db: DB, actor: Manager) -> Any:
    """A CSV body (text/csv) with the columns of ``service.CSV_COLUMNS``; each bad line is
    reported with its number, the good ones are added."""
    body = await request.body()
    if len(body) > BULK_MAX:
        raise TooLarge(f"the file is larger than {BULK_MAX} bytes")
    try:
        text = body.decode("utf-8-sig")
    except UnicodeDecodeError as exc:
        raise InvalidInput(f"the file is not UTF-8 (byte {exc.start})") from None
    return service.bulk_add(db, actor, country, text)


@router.post("/lists/{country}/entries/{entry_id}/withdraw", response_model=EntryOut)
def withdraw(country: str, entry_id: uuid.UUID, data: WithdrawIn, db: DB, actor: Manager) -> Any:
    return service.withdraw(db, actor, country, entry_id, data.reason)


@router.post("/lists/{country}/publish", response_model=VersionOut, status_code=201)
def publish(country: str, db: DB, actor: Manager) -> Any:
    v = service.publish(db, actor, country)
    return _version_out(country.upper(), v)


@router.get("/lists/{country}/versions", response_model=list[VersionOut])
def versions(country: str, db: DB, actor: AnyToken) -> Any:
    return [_version_out(country.upper(), v) for v in service.versions(db, actor, country)]


@router.get("/lists/{country}/diff")
def diff(
    country: str,
    db: DB,
    actor: AnyToken,
    from_: Annotated[str, Query(alias="from")],
    to: Annotated[str, Query()] = "latest",
    format: Annotated[str, Query()] = "rpz",
) -> Any:
    """Records added and removed between two versions, as JSON (signature: ``diff.sig``)."""
    try:
        body = service.diff(db, actor, country, from_, to, format)
    except service.UnknownVersion as exc:
        return _unknown(exc)
    return Response(service.diff_bytes(body), media_type="application/json")


@router.get("/lists/{country}/diff.sig")
def diff_signature(
    country: str,
    request: Request,
    db: DB,
    actor: AnyToken,
    from_: Annotated[str, Query(alias="from")],
    to: Annotated[str, Query()] = "latest",
    format: Annotated[str, Query()] = "rpz",
) -> Any:
    try:
        body = service.diff(db, actor, country, from_, to, format)
    except service.UnknownVersion as exc:
        return _unknown(exc)
    sig = service.sign(_var_dir(request), service.diff_bytes(body))
    return Response(sig, media_type="application/octet-stream")


@router.get("/lists/{country}/versions/{serial}/{fmt}")
def export(country: str, serial: str, fmt: str, request: Request, db: DB, actor: AnyToken) -> Any:
    """One export (``rpz``, ``hosts``, ``csv``, ``json``, ``hashes``, ``prefixes``), or its
    detached Ed25519 signature when the format ends in ``.sig``. ``latest`` is a version."""
    want_sig = fmt.endswith(".sig")
    fmt = fmt.removesuffix(".sig")
    try:
        version, data = service.download(db, actor, country, serial, fmt)
    except service.UnknownVersion as exc:
        return _unknown(exc)
    name = f"blocklist-{country.upper()}-{version.serial}.{fmt}"
    if want_sig:
        return Response(
            service.sign(_var_dir(request), data),
            media_type="application/octet-stream",
            headers={"content-disposition": f'attachment; filename="{name}.sig"'},
        )
    return Response(
        data,
        media_type=writers.FORMATS[fmt],
        headers={
            "content-disposition": f'attachment; filename="{name}"',
            "x-blocklist-serial": str(version.serial),
        },
    )


@router.post("/lists/{country}/check")
def check(country: str, data: Annotated[CheckIn, Body()], db: DB, actor: AnyToken) -> Any:
    """Whether a URL is blocked by the latest version (Safe Browsing matching)."""
    return lookups.check_url(db, actor, country, data.url)
