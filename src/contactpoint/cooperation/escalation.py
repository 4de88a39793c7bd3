"""Escalation of cooperation clocks: first a reminder, then the supervisors.

For each clock of an open request, once:
- "due soon": a reminder, in-app, to the request's handler on the responsible side (or, if
  nobody has taken it yet, that organisation's contact-point officers);
- overdue (a deadline passed) or expired (a preservation period ended): the supervisor role
  of the responsible organisation (contact-point officers and administrators), in-app and by
  e-mail when SMTP is configured.
Which side is responsible comes from the rule (``party``). What was done is kept on the
request (``escalation``), so a second run notifies nobody twice.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Role, User
from contactpoint.cooperation import deadlines, service
from contactpoint.cooperation.deadlines import ClockState
from contactpoint.cooperation.models import CoopRequest, Status
from contactpoint.core import audit, notify
from contactpoint.core.actor import SYSTEM
from contactpoint.core.config import Settings
from contactpoint.core.db import utcnow

SUPERVISORS = (Role.CONTACT_POINT_OFFICER.value, Role.ADMIN.value)
# Who works requests day to day: officers, and a provider's operators for orders it receives.
HANDLERS = (Role.CONTACT_POINT_OFFICER.value, Role.PROVIDER_OPERATOR.value)


@dataclass
class EscalationResult:
    reminders: int = 0
    escalations: int = 0


def _users(session: Session, org_id: uuid.UUID | None, roles: tuple[str, ...]) -> list[User]:
    if org_id is None:
        return []
    q = select(User).where(User.organisation_id == org_id, User.active.is_(True))
    return [u for u in session.scalars(q) if set(u.roles) & set(roles)]


def _addressees(users: list[User]) -> list[notify.Addressee]:
    return [notify.Addressee(u.id, u.email) for u in users]


def run(
    session: Session, settings: Settings | None = None, now: datetime | None = None
) -> EscalationResult:
    now = now or utcnow()
    result = EscalationResult()
    horizon = now + deadlines.DUE_SOON_MAX
    # Answered requests too: a preservation period goes on after the answer. Every request
    # with a running clock is refreshed, so a corrected rules file takes effect here.
    q = select(CoopRequest).where(
        CoopRequest.status.not_in([Status.DRAFT, Status.REFUSED, Status.WITHDRAWN]),
        CoopRequest.next_due_at.is_not(None),
    )
    for req in session.scalars(q):
        service.refresh_due(session, req)
        if req.next_due_at is None or req.next_due_at > horizon:
            continue
        done = dict(req.escalation or {})
        for clock in service.clocks(session, req, now):
            org_id = req.receiving_org_id if clock.rule.party == "receiver" else req.owner_org_id
            link = f"/cooperation/requests/{req.id}"
            left = deadlines.humanise(clock.remaining)
            if clock.state is ClockState.DUE_SOON and clock.name not in done:
                handler = session.get(User, req.handler_id) if req.handler_id else None
                users = (
                    [handler]
                    if handler and handler.organisation_id == org_id
                    else _users(session, org_id, HANDLERS)
                )
                notify.notify(
                    session,
                    _addressees(users),
                    kind="cooperation.reminder",
                    link=link,
                    subject=f"{req.reference}: {clock.rule.label} due in {left}",
                    body=f"{req.subject}\n{clock.rule.label} ends {clock.due_at:%Y-%m-%d %H:%M}"
                    f" UTC (source: {clock.rule.citation}).",
                )
                done[clock.name] = "reminded"
                result.reminders += 1
            elif (
                clock.state in (ClockState.OVERDUE, ClockState.EXPIRED)
                and done.get(clock.name) != "escalated"
            ):
                what = "is overdue" if clock.state is ClockState.OVERDUE else "has ended"
                # A provider has no officers: its operators are then the ones told.
                bosses = _users(session, org_id, SUPERVISORS) or _users(session, org_id, HANDLERS)
                notify.notify(
                    session,
                    _addressees(bosses),
                    kind="cooperation.escalation",
                    link=link,
                    email=True,
                    settings=settings,
                    subject=f"{req.reference}: {clock.rule.label} {what}",
                    body=f"{req.subject}\n{clock.rule.label} {what} since "
                    f"{clock.due_at:%Y-%m-%d %H:%M} UTC (source: {clock.rule.citation}).",
                )
                done[clock.name] = "escalated"
                result.escalations += 1
            else:
                continue
            audit.record(
                session,
                SYSTEM,
                f"cooperation.{done[clock.name]}",
                object_type="coop_request",
                object_id=req.id,
                details={"reference": req.reference, "clock": clock.name},
            )
        req.escalation = done
    session.flush()
    return result
