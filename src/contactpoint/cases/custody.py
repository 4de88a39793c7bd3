"""The chain of custody of an evidence item: an append-only, hash-chained log per item.

It is hashed exactly like the audit log (core.audit.chain_digest over the entry's
canonical JSON, which includes the previous entry's hash), and every entry is also written
to the audit log, so the two records corroborate each other.
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.cases.models import CustodyAction, CustodyEntry, Evidence
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.audit import GENESIS, VerifyResult, chain_digest
from contactpoint.core.db import utcnow


def _body(entry: CustodyEntry) -> dict[str, Any]:
    def s(value: object | None) -> str | None:
        return str(value) if value is not None else None

    return {
        "evidence_id": s(entry.evidence_id),
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "action": entry.action.value,
        "actor_user_id": s(entry.actor_user_id),
        "actor_org_id": s(entry.actor_org_id),
        "actor_label": entry.actor_label,
        "from_org_id": s(entry.from_org_id),
        "to_org_id": s(entry.to_org_id),
        "reason": entry.reason,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }


def append(
    session: Session,
    actor: Actor,
    evidence: Evidence,
    action: CustodyAction,
    *,
    from_org_id: uuid.UUID | None = None,
    to_org_id: uuid.UUID | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> CustodyEntry:
    """Add one link to the item's chain and the same event to the audit log."""
    # Serialise appenders per item (PostgreSQL row lock; SQLite has one writer anyway);
    # the unique (evidence_id, seq) would refuse a fork in any case.
    session.execute(select(Evidence.id).where(Evidence.id == evidence.id).with_for_update())
    last = session.execute(
        select(CustodyEntry.seq, CustodyEntry.hash)
        .where(CustodyEntry.evidence_id == evidence.id)
        .order_by(CustodyEntry.seq.desc())
        .limit(1)
    ).first()
    entry = CustodyEntry(
        id=uuid.uuid4(),
        evidence_id=evidence.id,
        seq=(last[0] + 1) if last else 1,
        at=utcnow(),
        action=action,
        actor_user_id=actor.user_id,
        actor_org_id=actor.org_id,
        actor_label=actor.label,
        from_org_id=from_org_id,
        to_org_id=to_org_id,
        reason=reason,
        details=details,
        prev_hash=last[1] if last else GENESIS,
    )
    entry.hash = chain_digest(_body(entry))
    session.add(entry)
    session.flush()
    audit.record(
        session,
        actor,
        f"evidence.{action.value}",
        object_type="evidence",
        object_id=evidence.id,
        reason=reason,
        details={
            "case_id": str(evidence.case_id),
            "sha256": evidence.sha256,
            "custody_seq": entry.seq,
            **({"from_org_id": str(from_org_id)} if from_org_id else {}),
            **({"to_org_id": str(to_org_id)} if to_org_id else {}),
        },
    )
    return entry


def entries(session: Session, evidence_id: uuid.UUID) -> list[CustodyEntry]:
    """The chain in order. Callers have already checked that the item is visible."""
    return list(
        session.scalars(
            select(CustodyEntry)
            .where(CustodyEntry.evidence_id == evidence_id)
            .order_by(CustodyEntry.seq)
        )
    )


def verify(session: Session, evidence_id: uuid.UUID) -> VerifyResult:
    """Walk the chain; name the first entry that is missing, unlinked or altered."""
    prev = GENESIS
    checked = 0
    for expected, entry in enumerate(entries(session, evidence_id), start=1):
        if entry.seq != expected:
            return VerifyResult(False, checked, expected, f"entry {expected} is missing")
        if entry.prev_hash != prev:
            return VerifyResult(False, checked, entry.seq, "link to the previous entry is broken")
        if chain_digest(_body(entry)) != entry.hash:
            return VerifyResult(False, checked, entry.seq, "content does not match its hash")
        prev = entry.hash
        checked += 1
    return VerifyResult(True, checked)
