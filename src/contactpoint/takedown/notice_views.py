"""Reading notices: by id or reference, lists with filters and clock views, the clock of one
notice, the kind rules in force, and the form's prefill from a report.

Every read goes through core.access (a notice of other organisations is not found). The
lifecycle steps are in service.py, which re-exports these names.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import Select, select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.core.access import get_visible, select_visible
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import utcnow
from contactpoint.core.errors import InvalidInput, NotFound
from contactpoint.core.paging import newest_first
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports import service as reports
from contactpoint.takedown import notice_clock, rules
from contactpoint.takedown.directory_models import Provider
from contactpoint.takedown.models import Notice, NoticeKind, NoticeStatus
from contactpoint.takedown.notice_clock import ClockState, ClockView
from contactpoint.takedown.rules import KindRule, Rules

OPEN = (NoticeStatus.SENT, NoticeStatus.RECEIVED)


def settings_of(session: Session) -> Settings:
    found = session.info.get("settings")
    return found if isinstance(found, Settings) else get_settings()


def rules_for(session: Session) -> Rules:
    return rules.load(settings_of(session).takedown_rules_file)


def kind_rule(session: Session, code: str) -> KindRule:
    try:
        rule = rules_for(session).get(code)
        NoticeKind(rule.code)  # a rules file may not invent kinds the code does not know
    except (KeyError, ValueError) as exc:
        msg = str(exc.args[0])
        raise InvalidInput(msg, errors=[{"field": "kind", "message": msg}]) from None
    return rule


# --- reading -------------------------------------------------------------------------------


def get(session: Session, actor: Actor, notice_id: uuid.UUID) -> Notice:
    return get_visible(session, Notice, notice_id, actor)


def get_by_reference(session: Session, actor: Actor, reference: str) -> Notice:
    row = session.scalars(
        select_visible(Notice, actor).where(Notice.reference == reference.strip().upper())
    ).first()
    if row is None:
        raise NotFound(f"takedown_notice {reference} not found")
    return row


def find(session: Session, actor: Actor, ref: str) -> Notice:
    """By id or by reference (the CLI and the pages accept either)."""
    try:
        return get(session, actor, uuid.UUID(ref))
    except ValueError:
        return get_by_reference(session, actor, ref)


def clock(session: Session, notice: Notice, now: datetime | None = None) -> ClockView:
    rule = kind_rule(session, notice.kind.value)
    return notice_clock.view(
        rule.clock,
        due=notice.due_at,
        paused_at=notice.paused_at,
        acted_at=notice.acted_at,
        withdrawn=notice.status is NoticeStatus.WITHDRAWN,
        now=now or utcnow(),
    )


def scrutiny_due(session: Session, notice: Notice) -> datetime | None:
    """TCO Art. 4(4): the host state's authority may scrutinise the order within 72 h."""
    rule = kind_rule(session, notice.kind.value)
    if rule.scrutiny_hours is None or notice.received_at is None:
        return None
    return notice.received_at + timedelta(hours=rule.scrutiny_hours)


def provider_org_ids(session: Session, actor: Actor) -> list[uuid.UUID]:
    """The providers that the actor's organisation answers for."""
    if actor.org_id is None:
        return []
    return list(session.scalars(select(Provider.id).where(Provider.org_id == actor.org_id)))


def _query(
    session: Session,
    actor: Actor,
    *,
    box: str = "all",
    status: str | None = None,
    kind: str | None = None,
    provider_id: uuid.UUID | None = None,
    overdue: bool = False,
    now: datetime | None = None,
) -> Select[Any]:
    q = select_visible(Notice, actor)
    if box == "sent":
        q = q.where(Notice.owner_org_id == actor.org_id)
    elif box == "received":
        q = q.where(Notice.provider_id.in_(provider_org_ids(session, actor)))
    if status:
        try:
            q = q.where(Notice.status == NoticeStatus(status))
        except ValueError:
            known = ", ".join(s.value for s in NoticeStatus)
            raise InvalidInput(
                f"unknown status {status!r}", errors=[{"field": "status", "message": known}]
            ) from None
    if kind:
        q = q.where(Notice.kind == kind_rule(session, kind).code)
    if provider_id:
        q = q.where(Notice.provider_id == provider_id)
    if overdue:
        q = q.where(
            Notice.status.in_(OPEN),
            Notice.paused_at.is_(None),
            Notice.due_at.is_not(None),
            Notice.due_at < (now or utcnow()),
        )
    return q


def page(
    session: Session,
    actor: Actor,
    *,
    cursor: str | None = None,
    limit: int = 50,
    **filters: Any,
) -> tuple[list[Notice], str | None]:
    """Visible notices, newest first, with a keyset cursor."""
    found = newest_first(
        session, _query(session, actor, **filters), Notice, cursor=cursor, limit=limit
    )
    return found.items, found.next_cursor


def by_clock(
    session: Session, actor: Actor, state: ClockState, *, box: str = "all", limit: int = 500
) -> list[Notice]:
    """Open notices whose clock is in ``state`` (due soon, overdue, awaiting receipt...),
    soonest first."""
    now = utcnow()
    q = _query(session, actor, box=box).where(Notice.status.in_(OPEN))
    if state in (ClockState.DUE_SOON, ClockState.OVERDUE, ClockState.RUNNING):
        q = q.where(Notice.due_at.is_not(None), Notice.paused_at.is_(None))
    rows = session.scalars(q.order_by(Notice.due_at, Notice.sent_at).limit(limit))
    return [n for n in rows if clock(session, n, now).state is state]


def counts(session: Session, actor: Actor, box: str = "all") -> dict[str, int]:
    return {
        "due-soon": len(by_clock(session, actor, ClockState.DUE_SOON, box=box)),
        "overdue": len(by_clock(session, actor, ClockState.OVERDUE, box=box)),
    }


def providers(session: Session) -> list[Provider]:
    return list(
        session.scalars(select(Provider).where(Provider.active.is_(True)).order_by(Provider.name))
    )


def provider_names(session: Session) -> dict[uuid.UUID, str]:
    return {p.id: p.name for p in session.scalars(select(Provider))}


def org_names(session: Session) -> dict[uuid.UUID, str]:
    return {o.id: o.name for o in session.scalars(select(Organisation))}


# --- prefilling the form ----------------------------------------------------------------------


@dataclass(frozen=True)
class Prefill:
    urls: list[str]
    category: str | None
    report_id: uuid.UUID | None


def prefill_from_report(session: Session, actor: Actor, report_id: uuid.UUID) -> Prefill:
    """The URL indicators and crime kind of a report the actor may see (404 otherwise)."""
    report = reports.get_report(session, actor, report_id)
    urls = session.scalars(
        select(Indicator.value)
        .join(ReportIndicator, ReportIndicator.indicator_id == Indicator.id)
        .where(ReportIndicator.report_id == report.id, Indicator.type == "url")
        .distinct()
    )
    return Prefill(
        urls=sorted(u for u in urls if u),
        category=str(report.crime_kind.value) if report.crime_kind else None,
        report_id=report.id,
    )
