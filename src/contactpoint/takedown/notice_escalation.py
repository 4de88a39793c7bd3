"""Escalation of notice clocks (run by the job ``takedown.escalate`` every 5 minutes).

- A clock with ``remind_after`` (TCO: 45 minutes of its hour) that has run that long without
  an action: the provider's operators are told, in-app and by e-mail when SMTP is set.
- Any notice past its due time without an action: the sender (the user who sent it, or the
  sending organisation's senders) is told, in-app and by e-mail.

What was done is kept on the notice (``escalation``), so a second run tells nobody twice.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Role, User
from contactpoint.core import audit, notify
from contactpoint.core.actor import SYSTEM
from contactpoint.core.config import Settings
from contactpoint.core.db import utcnow
from contactpoint.takedown import notice_clock, service
from contactpoint.takedown.directory_models import Provider
from contactpoint.takedown.models import Notice, NoticeStatus

SENDER_ROLES = (Role.ANALYST.value, Role.CONTACT_POINT_OFFICER.value)


@dataclass
class EscalationResult:
    provider_reminders: int = 0
    sender_alerts: int = 0


def _senders(session: Session, notice: Notice) -> list[User]:
    creator = session.get(User, notice.created_by_id) if notice.created_by_id else None
    if creator is not None and creator.active:
        return [creator]
    q = select(User).where(User.organisation_id == notice.owner_org_id, User.active.is_(True))
    return [u for u in session.scalars(q) if set(u.roles or []) & set(SENDER_ROLES)]


def _mark(session: Session, notice: Notice, what: str, now: datetime) -> None:
    notice.escalation = {**(notice.escalation or {}), what: now.isoformat()}
    audit.record(
        session,
        SYSTEM,
        f"takedown.{what}",
        object_type="takedown_notice",
        object_id=notice.id,
        details={"reference": notice.reference},
    )


def run(
    session: Session, settings: Settings | None = None, now: datetime | None = None
) -> EscalationResult:
    now = now or utcnow()
    result = EscalationResult()
    q = select(Notice).where(
        Notice.status.in_([NoticeStatus.SENT, NoticeStatus.RECEIVED]),
        Notice.paused_at.is_(None),
        Notice.due_at.is_not(None),
    )
    for notice in session.scalars(q.order_by(Notice.due_at)):
        rule = service.kind_rule(session, notice.kind.value)
        done = notice.escalation or {}
        clock = rule.clock
        assert clock is not None and notice.due_at is not None
        started = notice.due_at - clock.duration  # pauses included
        link = f"/provider/notices/{notice.id}"
        if (
            clock.remind_after is not None
            and "provider-reminded" not in done
            and now >= started + clock.remind_after
            and now < notice.due_at
        ):
            provider = session.get(Provider, notice.provider_id)
            users = service.operators_of(session, provider.org_id if provider else None)
            left = notice_clock.humanise(notice.due_at - now)
            notify.notify(
                session,
                [notify.Addressee(u.id, u.email) for u in users],
                kind="takedown.reminder",
                subject=f"{notice.reference}: {rule.title} due in {left}",
                body=f"{rule.clock.label if rule.clock else ''} ends "
                f"{notice.due_at:%Y-%m-%d %H:%M} UTC ({clock.citation}). Record the action "
                "taken in the provider portal.",
                link=link,
                email=True,
                settings=settings,
            )
            _mark(session, notice, "provider-reminded", now)
            result.provider_reminders += 1
        if now > notice.due_at and "sender-alerted" not in done:
            late = notice_clock.humanise(now - notice.due_at)
            what = "overdue" if clock.legal else "past its target"
            notify.notify(
                session,
                [notify.Addressee(u.id, u.email) for u in _senders(session, notice)],
                kind="takedown.overdue",
                subject=f"{notice.reference}: {rule.title} {what} by {late}",
                body=f"The provider has not recorded an action; {clock.label} ended "
                f"{notice.due_at:%Y-%m-%d %H:%M} UTC ({clock.citation}).",
                link=f"/takedown/notices/{notice.id}",
                email=True,
                settings=settings,
            )
            _mark(session, notice, "sender-alerted", now)
            result.sender_alerts += 1
    session.flush()
    return result
