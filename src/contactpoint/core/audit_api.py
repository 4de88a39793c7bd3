"""``/api/v1/audit``: verify the hash chain and page through the audit log (``audit:read``).

Who sees which entries: a token whose user has the ``auditor`` role (data-protection
oversight of the node) sees every entry; other ``audit:read`` holders (organisation
admins) see the entries made by members of their own organisation. Reading the log is
itself logged (``audit.read``), since entries name people.

This router needs the accounts' bearer-token dependency, so it is the one core module the
layer contract lets import accounts (see pyproject.toml).
"""

from __future__ import annotations

import base64
import binascii
import uuid
from datetime import datetime
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Query
from pydantic import BaseModel, Field
from sqlalchemy import select

from contactpoint.accounts.deps import require_api
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.audit import AuditEntry
from contactpoint.core.errors import InvalidInput
from contactpoint.core.web import DB

router = APIRouter(prefix="/api/v1/audit", tags=["audit"])
Reader = Annotated[Actor, Depends(require_api("audit:read"))]
OVERSIGHT_ROLE = "auditor"


class VerifyOut(BaseModel):
    ok: bool
    checked: int = Field(description="Entries checked and found intact.")
    broken_seq: int | None = Field(None, description="First entry that breaks the chain.")
    problem: str | None = None


class AuditEntryOut(BaseModel):
    seq: int
    at: datetime
    actor_user_id: uuid.UUID | None
    actor_org_id: uuid.UUID | None
    actor_label: str
    action: str
    object_type: str | None
    object_id: str | None
    reason: str | None
    details: dict[str, Any] | None
    hash: str
    prev_hash: str


class AuditPage(BaseModel):
    items: list[AuditEntryOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page.")


def _encode(seq: int) -> str:
    return base64.urlsafe_b64encode(f"seq:{seq}".encode()).decode()


def _decode(cursor: str) -> int:
    try:
        kind, _, value = base64.urlsafe_b64decode(cursor.encode()).decode().partition(":")
        if kind == "seq" and value.isdigit():
            return int(value)
    except (binascii.Error, UnicodeDecodeError):
        pass
    raise InvalidInput(
        "cursor is not one this API gave out",
        errors=[{"field": "cursor", "message": "invalid cursor"}],
    )


@router.get("/verify", response_model=VerifyOut)
def verify(db: DB, actor: Reader) -> VerifyOut:
    """Check every entry's hash and link, like `contactpoint audit verify`."""
    result = audit.verify(db)
    out = VerifyOut(
        ok=result.ok, checked=result.checked, broken_seq=result.broken_seq, problem=result.problem
    )
    audit.record(
        db,
        actor,
        "audit.verified" if result.ok else "audit.broken",
        object_type="audit_log",
        details=out.model_dump(),
    )
    return out


@router.get("/entries", response_model=AuditPage)
def entries(
    db: DB,
    actor: Reader,
    cursor: str | None = None,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    action: str | None = Query(None, description="Only this action, e.g. reports.read."),
    object_type: str | None = None,
    object_id: str | None = None,
) -> AuditPage:
    """Newest first. ``next_cursor`` is null on the last page."""
    query = select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(limit + 1)
    if cursor is not None:
        query = query.where(AuditEntry.seq < _decode(cursor))
    if not actor.has_role(OVERSIGHT_ROLE):
        query = query.where(AuditEntry.actor_org_id == actor.org_id)
    if action:
        query = query.where(AuditEntry.action == action)
    if object_type:
        query = query.where(AuditEntry.object_type == object_type)
    if object_id:
        query = query.where(AuditEntry.object_id == object_id)
    rows = list(db.scalars(query))
    more = len(rows) > limit
    rows = rows[:limit]
    page = AuditPage(
        items=[AuditEntryOut.model_validate(r, from_attributes=True) for r in rows],
        next_cursor=_encode(rows[-1].seq) if more and rows else None,
    )
    audit.record(
        db,
        actor,
        "audit.read",
        object_type="audit_log",
        details={
            "count": len(rows),
            "cursor": cursor,
            "action": action,
            "object_type": object_type,
            "object_id": object_id,
        },
    )
    return page
