"""Evidence files of a case: intake (hashed, encrypted), reading, download, transfer.

Every access and every transfer adds a link to the item's chain of custody
(cases.custody), which also writes the audit log. An evidence item is visible exactly when
its case is: its markings and recipients mirror the case's (service.sync_evidence_markings)
and every read also fetches the case through core.access.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import timedelta
from pathlib import Path
from typing import Any, BinaryIO

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.cases import custody, vault
from contactpoint.cases.models import Case, CustodyAction, CustodyEntry, Evidence
from contactpoint.cases.schemas import EvidenceIn, TransferIn
from contactpoint.cases.service import (
    _require_manage,
    case_org_ids,
    get_case,
    require_open,
)
from contactpoint.core.access import get_visible, select_visible, set_recipients
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from contactpoint.core.filenames import safe_filename
from contactpoint.reports.service import settings_of

_NEW_FILES = "cases.evidence.new_files"


def evidence_root(session: Session) -> Path:
    return settings_of(session).var_dir / "evidence"


def _remove_on_rollback(session: Session, path: Path) -> None:
    """A file written for a row that is then rolled back must not stay on disk."""
    pending: list[Path] | None = session.info.get(_NEW_FILES)
    if pending is None:
        pending = session.info[_NEW_FILES] = []

        def rolled_back(sess: Session, *_: Any) -> None:
            for p in sess.info.pop(_NEW_FILES, []):
                p.unlink(missing_ok=True)
            sess.info[_NEW_FILES] = []

        def committed(sess: Session, *_: Any) -> None:
            sess.info[_NEW_FILES] = []

        event.listen(session, "after_rollback", rolled_back)
        event.listen(session, "after_commit", committed)
    pending.append(path)


def _check_meta(meta: EvidenceIn) -> list[dict[str, Any]]:
    errors = []
    for name in ("acquired_by", "acquisition_method", "source"):
        value = (getattr(meta, name) or "").strip()
        if not value:
            errors.append({"field": name, "message": "required"})
        elif len(value) > (200 if name == "acquired_by" else 500):
            errors.append({"field": name, "message": "too long"})
    if meta.acquired_at is not None:
        if meta.acquired_at.tzinfo is None:
            errors.append({"field": "acquired_at", "message": "give a time zone (e.g. Z)"})
        elif meta.acquired_at > utcnow() + timedelta(minutes=5):
            errors.append({"field": "acquired_at", "message": "is in the future"})
    if meta.sha256 and not re.fullmatch(r"[0-9a-fA-F]{64}", meta.sha256.strip()):
        errors.append({"field": "sha256", "message": "not a SHA-256 hex digest (64 hex digits)"})
    if len(meta.description) > 5000:
        errors.append({"field": "description", "message": "too long"})
    return errors


def add_evidence(
    session: Session, actor: Actor, case_id: uuid.UUID, meta: EvidenceIn, stream: BinaryIO
) -> Evidence:
    """Hash and encrypt the file, record its acquisition as the first custody entry."""
    _require_manage(actor)
    case = get_case(session, actor, case_id)
    require_open(case)
    errors = _check_meta(meta)
    if errors:
        raise InvalidInput("the evidence details are incomplete", errors=errors)
    stored = vault.write(
        evidence_root(session),
        stream,
        max_bytes=settings_of(session).evidence_max_bytes,
        expected_sha256=meta.sha256 or None,
    )
    if stored.created:
        _remove_on_rollback(session, stored.path)
    ev = Evidence(
        id=uuid.uuid4(),
        case_id=case.id,
        filename=safe_filename(meta.filename, "evidence"),
        content_type=(meta.content_type or "application/octet-stream")[:100],
        size=stored.size,
        sha256=stored.sha256,
        description=meta.description.strip(),
        acquired_at=meta.acquired_at or utcnow(),
        acquired_by=meta.acquired_by.strip(),
        acquisition_method=meta.acquisition_method.strip(),
        source=meta.source.strip(),
        custodian_org_id=actor.org_id or case.owner_org_id,
        uploaded_by_id=actor.user_id,
        owner_org_id=case.owner_org_id,
        created_by_id=actor.user_id,
        tlp=case.tlp,
        pap=case.pap,
        handling_code=case.handling_code,
        handling_text=case.handling_text,
    )
    session.add(ev)
    session.flush()
    set_recipients(session, ev, org_ids=[p.org_id for p in case.participants])
    custody.append(
        session,
        actor,
        ev,
        CustodyAction.ACQUIRED,
        to_org_id=ev.custodian_org_id,
        details={
            "filename": ev.filename,
            "size": ev.size,
            "sha256": ev.sha256,
            "acquired_at": ev.acquired_at.isoformat(),
            "acquired_by": ev.acquired_by,
            "acquisition_method": ev.acquisition_method,
            "source": ev.source,
        },
    )
    return ev


def get_evidence(
    session: Session, actor: Actor, case_id: uuid.UUID, evidence_id: uuid.UUID
) -> Evidence:
    """The item, if both it and its case are visible (else 404). Not itself an access."""
    case = get_case(session, actor, case_id)
    ev = get_visible(session, Evidence, evidence_id, actor)
    if ev.case_id != case.id:
        raise NotFound(f"evidence {evidence_id} not found")
    return ev


def list_evidence(session: Session, actor: Actor, case_id: uuid.UUID) -> list[Evidence]:
    case = get_case(session, actor, case_id)
    return list(
        session.scalars(
            select_visible(Evidence, actor)
            .where(Evidence.case_id == case.id)
            .order_by(Evidence.created_at)
        )
    )


def view(session: Session, actor: Actor, case_id: uuid.UUID, evidence_id: uuid.UUID) -> Evidence:
    """Show the item's details: recorded in its chain of custody."""
    _require_manage(actor)
    ev = get_evidence(session, actor, case_id, evidence_id)
    custody.append(session, actor, ev, CustodyAction.VIEWED)
    return ev


def download(
    session: Session,
    actor: Actor,
    case_id: uuid.UUID,
    evidence_id: uuid.UUID,
    reason: str | None = None,
) -> tuple[Evidence, Iterator[bytes]]:
    """Record the download, then hand back a stream of the decrypted bytes."""
    _require_manage(actor)
    ev = get_evidence(session, actor, case_id, evidence_id)
    path = vault.path_for(evidence_root(session), ev.sha256)
    if not path.exists():
        raise NotFound(f"the file of evidence {ev.id} is missing from storage")
    custody.append(
        session, actor, ev, CustodyAction.DOWNLOADED, reason=(reason or "").strip() or None
    )
    return ev, vault.read(path)


def transfer(
    session: Session, actor: Actor, case_id: uuid.UUID, evidence_id: uuid.UUID, data: TransferIn
) -> CustodyEntry:
    """The holding organisation hands the item to another one working on the case."""
    _require_manage(actor)
    ev = get_evidence(session, actor, case_id, evidence_id)
    case = session.get(Case, ev.case_id)
    assert case is not None
    require_open(case)
    if data.to_org_id not in case_org_ids(case):
        raise InvalidInput(
            "evidence can only be handed to an organisation working on the case",
            errors=[{"field": "to_org_id", "message": "not the owner or a participant"}],
        )
    if "system" not in actor.roles and actor.org_id != ev.custodian_org_id:
        raise Forbidden("only the organisation holding the evidence can hand it over")
    if data.to_org_id == ev.custodian_org_id:
        raise Conflict("that organisation already holds this evidence")
    from_org = ev.custodian_org_id
    ev.custodian_org_id = data.to_org_id
    session.flush()
    return custody.append(
        session,
        actor,
        ev,
        CustodyAction.TRANSFERRED,
        from_org_id=from_org,
        to_org_id=data.to_org_id,
        reason=data.reason.strip(),
    )


def org_names(session: Session, ids: set[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    wanted = [i for i in ids if i is not None]
    if not wanted:
        return {}
    rows = session.execute(
        select(Organisation.id, Organisation.name).where(Organisation.id.in_(wanted))
    )
    return {oid: name for oid, name in rows}
