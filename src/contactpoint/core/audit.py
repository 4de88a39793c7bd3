"""Append-only, hash-chained audit log (Directive (EU) 2016/680 Art. 25).

Each entry stores the SHA-256 of its own canonical content, which includes the previous
entry's hash. Altering, deleting or reordering any stored entry breaks the chain at that
entry, and :func:`verify` names it.
"""

from __future__ import annotations

import hashlib
import json
import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, BigInteger, Integer, String, Text, select, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from contactpoint.core.actor import Actor
from contactpoint.core.db import Base, UTCDateTime, utcnow

GENESIS = "0" * 64


class AuditEntry(Base):
    __tablename__ = "audit_log"

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    at: Mapped[datetime] = mapped_column(UTCDateTime, nullable=False)
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    actor_label: Mapped[str] = mapped_column(String(200))
    action: Mapped[str] = mapped_column(String(80), index=True)
    object_type: Mapped[str | None] = mapped_column(String(64))
    object_id: Mapped[str | None] = mapped_column(String(64), index=True)
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


def _canonical(entry: AuditEntry) -> bytes:
    body = {
        "seq": entry.seq,
        "at": entry.at.isoformat(),
        "actor_user_id": str(entry.actor_user_id) if entry.actor_user_id else None,
        "actor_org_id": str(entry.actor_org_id) if entry.actor_org_id else None,
        "actor_label": entry.actor_label,
        "action": entry.action,
        "object_type": entry.object_type,
        "object_id": entry.object_id,
        "reason": entry.reason,
        "details": entry.details,
        "prev_hash": entry.prev_hash,
    }
    return canonical_json(body)


def canonical_json(body: dict[str, Any]) -> bytes:
    """The byte form a chained entry is hashed over; shared by every hash-chained log
    (the audit log here, the evidence chain of custody in cases)."""
    return json.dumps(body, sort_keys=True, separators=(",", ":"), default=str).encode()


def chain_digest(body: dict[str, Any]) -> str:
    """SHA-256 of an entry's canonical form; ``body`` must include its ``prev_hash``."""
    return hashlib.sha256(canonical_json(body)).hexdigest()


def _digest(entry: AuditEntry) -> str:
    return hashlib.sha256(_canonical(entry)).hexdigest()


def record(
    session: Session,
    actor: Actor,
    action: str,
    *,
    object_type: str | None = None,
    object_id: object | None = None,
    reason: str | None = None,
    details: dict[str, Any] | None = None,
) -> AuditEntry:
    """Append one entry in the caller's transaction; it commits or rolls back with the change."""
    if session.get_bind().dialect.name == "postgresql":
        # Serialise appenders so two transactions never chain onto the same predecessor.
        session.execute(text("SELECT pg_advisory_xact_lock(7243001)"))
    last = session.execute(
        select(AuditEntry.seq, AuditEntry.hash).order_by(AuditEntry.seq.desc()).limit(1)
    ).first()
    seq = (last[0] + 1) if last else 1
    entry = AuditEntry(
        seq=seq,
        at=utcnow(),
        actor_user_id=actor.user_id,
        actor_org_id=actor.org_id,
        actor_label=actor.label,
        action=action,
        object_type=object_type,
        object_id=str(object_id) if object_id is not None else None,
        reason=reason,
        details=details,
        prev_hash=last[1] if last else GENESIS,
    )
    entry.hash = _digest(entry)
    session.add(entry)
    session.flush()
    return entry


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    broken_seq: int | None = None
    problem: str | None = None


def verify(session: Session, *, batch: int = 5000) -> VerifyResult:
    """Walk the chain in order; stop at the first entry whose hash or link is wrong."""
    prev = GENESIS
    expected_seq = 1
    checked = 0
    last_seq = 0
    while True:
        rows = session.scalars(
            select(AuditEntry)
            .where(AuditEntry.seq > last_seq)
            .order_by(AuditEntry.seq)
            .limit(batch)
        ).all()
        if not rows:
            return VerifyResult(ok=True, checked=checked)
        for entry in rows:
            if entry.seq != expected_seq:
                return VerifyResult(
                    False, checked, expected_seq, f"entry {expected_seq} is missing"
                )
            if entry.prev_hash != prev:
                return VerifyResult(
                    False, checked, entry.seq, "link to the previous entry is broken"
                )
            if _digest(entry) != entry.hash:
                return VerifyResult(False, checked, entry.seq, "content does not match its hash")
            prev = entry.hash
            expected_seq += 1
            checked += 1
            last_seq = entry.seq
        session.expunge_all()
