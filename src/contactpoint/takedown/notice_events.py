"""Notice events and their authenticated timestamps: every step of a notice appends an
event and an audit entry; sending and receipt are signed by the node's Ed25519 key."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.orm import Session

from contactpoint.core import audit, signing
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.takedown import timestamps
from contactpoint.takedown.models import Notice, NoticeEvent
from contactpoint.takedown.notice_views import settings_of


def node_key(session: Session) -> Any:
    """The node's Ed25519 key (made on first use), which signs the timestamps."""
    return signing.load_or_create(signing.key_path(settings_of(session).var_dir))


def public_key_pem(session: Session) -> bytes:
    return signing.public_pem(node_key(session))


def content_digest(notice: Notice) -> str:
    return timestamps.content_digest(
        reference=notice.reference,
        kind=notice.kind.value,
        provider_id=str(notice.provider_id),
        issuing_country=notice.issuing_country,
        category=notice.category,
        urls=[u.url for u in notice.urls],
        fields=dict(notice.fields or {}),
    )


def record_event(
    session: Session,
    actor: Actor,
    notice: Notice,
    kind: str,
    detail: dict[str, Any] | None = None,
    *,
    at: datetime | None = None,
    reason: str | None = None,
) -> NoticeEvent:
    ev = NoticeEvent(
        seq=len(notice.events) + 1,
        at=at or utcnow(),
        kind=kind,
        actor_user_id=actor.user_id,
        actor_org_id=actor.org_id,
        actor_label=actor.label,
        detail=detail or {},
    )
    if kind in timestamps.SIGNED_EVENTS and notice.content_sha256:
        data = timestamps.payload(notice.reference, kind, ev.at, notice.content_sha256)
        ev.signature = timestamps.sign(node_key(session), data)
        ev.detail = {**ev.detail, "content_sha256": notice.content_sha256}
    notice.events.append(ev)
    session.flush()
    audit.record(
        session,
        actor,
        f"takedown.{kind}",
        object_type="takedown_notice",
        object_id=notice.id,
        reason=reason,
        details={"reference": notice.reference, **(detail or {})},
    )
    return ev


@dataclass(frozen=True)
class Timestamp:
    event: NoticeEvent
    payload: bytes
    content_sha256: str
    valid: bool


def timestamps_of(session: Session, notice: Notice) -> list[Timestamp]:
    """Each signed event with the exact signed bytes and whether the signature holds."""
    pem = public_key_pem(session)
    out = []
    for ev in notice.events:
        if not ev.signature:
            continue
        digest = str((ev.detail or {}).get("content_sha256", ""))
        data = timestamps.payload(notice.reference, ev.kind, ev.at, digest)
        valid = timestamps.check(pem, data, ev.signature) and digest == content_digest(notice)
        out.append(Timestamp(ev, data, digest, valid))
    return out
