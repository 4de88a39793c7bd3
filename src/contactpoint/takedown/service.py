"""Notices and removal orders: send, the provider's receipt and action, the sender's
withdrawal and pauses, and the views of both sides.

Every step appends a NoticeEvent and an audit entry, and never commits. A notice is a Marked
row owned by the sending organisation with the provider's organisation as its one recipient,
so every read goes through core.access: any other organisation gets 404. Sending and receipt
carry an authenticated timestamp (``timestamps.py``) signed by the node's key.
"""

from __future__ import annotations

import smtplib
import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation, Role, User
from contactpoint.core import notify
from contactpoint.core.access import set_recipients
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput
from contactpoint.takedown import directory, notice_clock, notice_mail, timestamps
from contactpoint.takedown.directory_models import Provider
from contactpoint.takedown.models import (
    ACTED,
    CLOSED,
    Notice,
    NoticeCounter,
    NoticeKind,
    NoticeStatus,
    NoticeUrl,
)
from contactpoint.takedown.notice_events import (  # noqa: F401  (re-exported: one service API)
    Timestamp,
    content_digest,
    node_key,
    public_key_pem,
    record_event,
    timestamps_of,
)
from contactpoint.takedown.notice_views import (  # noqa: F401  (re-exported: one service API)
    OPEN,
    Prefill,
    by_clock,
    clock,
    counts,
    find,
    get,
    get_by_reference,
    kind_rule,
    org_names,
    page,
    prefill_from_report,
    provider_names,
    provider_org_ids,
    providers,
    rules_for,
    scrutiny_due,
    settings_of,
)
from contactpoint.takedown.rules import KindRule
from contactpoint.takedown.schemas import NoticeIn

ACTIONS = {
    "removed": NoticeStatus.REMOVED,
    "disabled": NoticeStatus.DISABLED,
    "refused": NoticeStatus.REFUSED,
}


# --- sending -------------------------------------------------------------------------------


def _next_reference(session: Session, country: str) -> str:
    """TD-FR-2026-000123. The counter row is updated in place: a concurrent sender waits for
    this transaction (row lock on PostgreSQL, the write lock on SQLite), never reuses a
    number."""
    year = utcnow().year
    if session.get(NoticeCounter, (country, year)) is None:
        try:
            with session.begin_nested():
                session.add(NoticeCounter(country=country, year=year, value=0))
        except IntegrityError:
            pass  # another transaction made the row first: use it
    value = session.execute(
        update(NoticeCounter)
        .where(NoticeCounter.country == country, NoticeCounter.year == year)
        .values(value=NoticeCounter.value + 1)
        .returning(NoticeCounter.value)
        .execution_options(synchronize_session=False)
    ).scalar_one()
    return f"TD-{country}-{year}-{value:06d}"


@dataclass(frozen=True)
class Target:
    url: str
    host: str
    ip: str | None


def _targets(urls: list[str]) -> list[Target]:
    out, seen = [], set()
    for i, raw in enumerate(urls):
        field = f"urls[{i}]"
        host, literal = directory.split_url(raw, field)
        url = raw.strip()
        if url in seen:
            raise InvalidInput(
                f"{field}: {url} is listed twice",
                errors=[{"field": field, "message": "listed twice"}],
            )
        seen.add(url)
        out.append(Target(url, host, str(literal) if literal is not None else None))
    return out


def _provider(
    session: Session,
    provider_id: uuid.UUID | None,
    targets: list[Target],
    resolver: directory.Resolver | None,
) -> tuple[Provider, str]:
    if provider_id is not None:
        provider = session.get(Provider, provider_id)
        if provider is None or not provider.active:
            raise InvalidInput(
                "no such active provider",
                errors=[{"field": "provider_id", "message": "no such active provider"}],
            )
        return provider, "chosen by the sender"
    found: Provider | None = None
    how = ""
    for i, t in enumerate(targets):
        res = directory.resolve_url(session, t.url, resolver=resolver)
        field = f"urls[{i}]"
        if res is None:
            msg = f"no provider in the directory hosts {t.host}; choose the provider"
            raise InvalidInput(f"{field}: {msg}", errors=[{"field": field, "message": msg}])
        if found is not None and res.provider.id != found.id:
            msg = (
                f"{t.url} is hosted by {res.provider.name}, not {found.name}: "
                "send one notice per provider"
            )
            raise InvalidInput(f"{field}: {msg}", errors=[{"field": field, "message": msg}])
        if found is None:
            found, how = res.provider, f"{res.matched_by} {res.matched}"
    assert found is not None
    return found, how


def _by_external_id(session: Session, org_id: uuid.UUID, external_id: str) -> Notice | None:
    return session.scalars(
        select(Notice).where(Notice.owner_org_id == org_id, Notice.external_id == external_id)
    ).first()


def send(
    session: Session,
    actor: Actor,
    data: NoticeIn,
    *,
    resolver: directory.Resolver | None = None,
) -> tuple[Notice, bool]:
    """Validate, address and send a notice; ``(notice, created)``. A known ``external_id``
    of the sender's organisation returns the stored notice and changes nothing."""
    if not actor.can("takedown:manage") or actor.org_id is None or not actor.country:
        raise Forbidden("sending notices needs the permission 'takedown:manage'")
    if data.external_id:
        existing = _by_external_id(session, actor.org_id, data.external_id)
        if existing is not None:
            return existing, False
    rule = kind_rule(session, data.kind)
    if not rule.may_issue(actor.org_kind):
        who = ", ".join(rule.issuers or ())
        raise Forbidden(
            f"a {rule.title} is issued only by {who} organisations ({rule.citation}), "
            f"not by a {actor.org_kind}"
        )
    values = {k: v.strip() for k, v in data.fields.items() if v and v.strip()}
    errors = rule.missing(
        values,
        category=data.category.value,
        notifier_name=data.notifier_name,
        notifier_email=data.notifier_email,
    )
    known = {f.name for f in rule.fields}
    errors += [
        {"field": f"fields.{n}", "message": f"not a field of {rule.code}"}
        for n in sorted(set(values) - known)
    ]
    if errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise InvalidInput(f"the {rule.title} is incomplete: {detail}", errors=errors)
    targets = _targets(data.urls)
    provider, how = _provider(session, data.provider_id, targets, resolver)
    if provider.org_id is not None and provider.org_id == actor.org_id:
        raise InvalidInput(
            "a notice goes to another organisation",
            errors=[{"field": "provider_id", "message": "your own organisation"}],
        )
    try:
        with session.begin_nested():  # a concurrent duplicate rolls back only this notice
            notice = _insert(session, actor, data, rule, values, targets, provider, how)
    except IntegrityError:
        if data.external_id:
            existing = _by_external_id(session, actor.org_id, data.external_id)
            if existing is not None:
                return existing, False
        raise
    _tell_provider(session, actor, notice, provider, rule)
    return notice, True


def _insert(
    session: Session,
    actor: Actor,
    data: NoticeIn,
    rule: KindRule,
    values: dict[str, str],
    targets: list[Target],
    provider: Provider,
    how: str,
) -> Notice:
    assert actor.country is not None
    now = utcnow()
    notice = Notice(
        reference=_next_reference(session, actor.country),
        kind=NoticeKind(rule.code),
        status=NoticeStatus.SENT,
        provider_id=provider.id,
        provider_match=how[:300],
        issuing_country=actor.country,
        category=data.category.value,
        report_id=data.report_id,
        fields=values,
        notifier_name=(data.notifier_name or "").strip() or None,
        notifier_email=(data.notifier_email or "").strip() or None,
        sent_at=now,
        external_id=data.external_id,
        owner_org_id=actor.org_id,
        created_by_id=actor.user_id,
        tlp=data.tlp,
        escalation={},
    )
    notice.urls = [
        NoticeUrl(position=i, url=t.url, host=t.host, ip=t.ip) for i, t in enumerate(targets)
    ]
    session.add(notice)
    session.flush()
    notice.content_sha256 = content_digest(notice)
    notice.due_at = notice_clock.due_at(rule.clock, now, None)
    if provider.org_id is not None:
        set_recipients(session, notice, org_ids=[provider.org_id])
    record_event(
        session,
        actor,
        notice,
        "sent",
        {"provider": provider.name, "urls": len(targets), "kind": rule.code},
        at=now,
    )
    return notice


def operators_of(session: Session, org_id: uuid.UUID | None) -> list[User]:
    """Active provider operators of an organisation: who answers its notices."""
    if org_id is None:
        return []
    q = select(User).where(User.organisation_id == org_id, User.active.is_(True))
    return [u for u in session.scalars(q) if Role.PROVIDER_OPERATOR.value in (u.roles or [])]


def _tell_provider(
    session: Session, actor: Actor, notice: Notice, provider: Provider, rule: KindRule
) -> None:
    """Operators on the platform are told in-app (and by e-mail when SMTP is set). A provider
    that is not on the platform gets the notice by e-mail at its TCO point of contact or
    abuse address; the timeline says whether that worked."""
    settings = settings_of(session)
    users = operators_of(session, provider.org_id)
    if users:
        clock = (
            f" It must be acted on within {notice_clock.humanise(rule.clock.duration)} of "
            f"receipt ({rule.clock.citation})."
            if rule.clock and rule.clock.legal
            else ""
        )
        notify.notify(
            session,
            [notify.Addressee(u.id, u.email) for u in users],
            kind="takedown.new",
            subject=f"{notice.reference}: {rule.title}",
            body=f"A {rule.title} about {len(notice.urls)} URL(s) was sent to {provider.name}."
            f"{clock} Acknowledge its receipt in the provider portal.",
            link=f"/provider/notices/{notice.id}",
            email=True,
            settings=settings,
        )
        return
    if provider.org_id is not None:
        return  # on the platform, but nobody to tell yet: the portal shows it when they come
    tco = rule.code == NoticeKind.TCO_REMOVAL_ORDER.value
    address = (provider.tco_contact if tco else None) or provider.abuse_email
    if not address or not notify.smtp_configured(settings):
        why = "no e-mail address in the directory" if not address else "SMTP is not configured"
        record_event(
            session,
            actor,
            notice,
            "not-delivered",
            {
                "reason": f"{provider.name} is not on the platform and {why}: deliver the notice "
                "yourself and record its receipt"
            },
        )
        return
    sender = session.get(Organisation, notice.owner_org_id) if notice.owner_org_id else None
    subject, body = notice_mail.compose(notice, rule, provider.name, sender.name if sender else "")
    try:
        notify.send_email(settings, [address], subject, body)
    except (OSError, smtplib.SMTPException) as exc:
        record_event(
            session, actor, notice, "not-delivered", {"to": address, "error": f"{exc}"[:300]}
        )
        return
    record_event(session, actor, notice, "emailed", {"to": address})


# --- the provider's steps -------------------------------------------------------------------


def answers_for_provider(session: Session, actor: Actor, notice: Notice) -> str | None:
    """Whether ``actor`` may record the provider's steps: "provider" (its operators), or
    "sender" on behalf of a provider that is not on the platform (its answer came by e-mail
    or phone); None otherwise."""
    provider = session.get(Provider, notice.provider_id)
    if provider is None:
        return None
    if provider.org_id is not None:
        ok = actor.can("takedown:respond") and provider.org_id == actor.org_id
        return "provider" if ok else None
    ok = actor.can("takedown:manage") and notice.owner_org_id == actor.org_id
    return "sender" if ok else None


def _as_provider(
    session: Session, actor: Actor, notice_id: uuid.UUID
) -> tuple[Notice, dict[str, Any]]:
    notice = get(session, actor, notice_id)
    who = answers_for_provider(session, actor, notice)
    if who is None:
        raise Forbidden(f"only the provider's operators can answer {notice.reference}")
    if who == "sender":  # kept on the timeline: the provider did not record it itself
        return notice, {"on_behalf_of": provider_names(session).get(notice.provider_id, "")}
    return notice, {}


def _not_closed(notice: Notice, what: str) -> None:
    if notice.status in ACTED:
        raise Conflict(
            f"cannot {what}: {notice.reference} was already answered ({notice.status.value} "
            f"at {notice.acted_at:%Y-%m-%d %H:%M} UTC)"
        )
    if notice.status in CLOSED:
        raise Conflict(f"cannot {what}: {notice.reference} is {notice.status.value}")


def _receive(
    session: Session, actor: Actor, notice: Notice, at: datetime, detail: dict[str, Any]
) -> None:
    rule = kind_rule(session, notice.kind.value)
    notice.received_at = at
    notice.status = NoticeStatus.RECEIVED
    if rule.clock is not None and rule.clock.starts_on == "received":
        notice.due_at = notice_clock.due_at(rule.clock, notice.sent_at, at, notice.paused_seconds)
    record_event(session, actor, notice, "received", detail, at=at)


def acknowledge(session: Session, actor: Actor, notice_id: uuid.UUID) -> Notice:
    """The provider confirms receipt; a TCO order's hour runs from now."""
    notice, detail = _as_provider(session, actor, notice_id)
    _not_closed(notice, "acknowledge")
    if notice.received_at is not None:
        raise Conflict(
            f"{notice.reference} was already acknowledged at {notice.received_at:%H:%M} UTC"
        )
    _receive(session, actor, notice, utcnow(), detail)
    return notice


def act(
    session: Session,
    actor: Actor,
    notice_id: uuid.UUID,
    action: str,
    reason: str | None = None,
    acted_at: datetime | None = None,
) -> Notice:
    """Removed, access disabled, or refused with a reason; once only (409 the second time)."""
    notice, behalf = _as_provider(session, actor, notice_id)
    _not_closed(notice, "record an action")
    status = ACTIONS.get(action)
    if status is None:
        msg = f"one of {', '.join(ACTIONS)}"
        raise InvalidInput(f"action: {msg}", errors=[{"field": "action", "message": msg}])
    reason = (reason or "").strip() or None
    if status is NoticeStatus.REFUSED and not reason:
        msg = "a refusal states its reason"
        raise InvalidInput(msg, errors=[{"field": "reason", "message": msg}])
    now = utcnow()
    when = acted_at or now
    if when.tzinfo is None:
        raise InvalidInput(
            "acted_at needs a time zone", errors=[{"field": "acted_at", "message": "no zone"}]
        )
    if when > now + timedelta(seconds=5):  # a few seconds of clock skew are tolerated
        msg = "cannot be in the future"
        raise InvalidInput(f"acted_at: {msg}", errors=[{"field": "acted_at", "message": msg}])
    if when < notice.sent_at:
        msg = f"cannot be before the notice was sent ({notice.sent_at:%Y-%m-%d %H:%M} UTC)"
        raise InvalidInput(f"acted_at: {msg}", errors=[{"field": "acted_at", "message": msg}])
    when = min(when, now)
    if notice.received_at is None:  # acting says at least that it was received
        _receive(session, actor, notice, now, behalf)
    if notice.paused_at is not None:
        _end_pause(notice, now)
    notice.status, notice.acted_at, notice.action_note = status, when, reason
    record_event(
        session,
        actor,
        notice,
        "acted",
        {"action": action, "acted_at": timestamps.iso(when), "reason": reason, **behalf},
        reason=reason,
    )
    return notice


# --- the sender's steps ----------------------------------------------------------------------


def _as_sender(session: Session, actor: Actor, notice_id: uuid.UUID) -> Notice:
    notice = get(session, actor, notice_id)
    if not actor.can("takedown:manage") or notice.owner_org_id != actor.org_id:
        raise Forbidden(f"only the sending organisation can do this on {notice.reference}")
    return notice


def withdraw(session: Session, actor: Actor, notice_id: uuid.UUID, reason: str) -> Notice:
    notice = _as_sender(session, actor, notice_id)
    _not_closed(notice, "withdraw")
    reason = _reason(reason)
    if notice.paused_at is not None:
        _end_pause(notice, utcnow())
    notice.status = NoticeStatus.WITHDRAWN
    record_event(session, actor, notice, "withdrawn", {"reason": reason}, reason=reason)
    return notice


def _reason(reason: str | None) -> str:
    text = (reason or "").strip()
    if len(text) < 3:
        msg = "state the reason"
        raise InvalidInput(msg, errors=[{"field": "reason", "message": msg}])
    return text


def pause(session: Session, actor: Actor, notice_id: uuid.UUID, reason: str) -> Notice:
    """Stop the clock (TCO Art. 3(7)-(8): force majeure, request for clarification)."""
    notice = _as_sender(session, actor, notice_id)
    rule = kind_rule(session, notice.kind.value)
    if rule.pause is None:
        msg = f"the clock of a {rule.title} does not pause ({rule.citation})"
        raise InvalidInput(msg, errors=[{"field": "kind", "message": msg}])
    _not_closed(notice, "pause")
    if notice.paused_at is not None:
        raise Conflict(f"{notice.reference} is already paused")
    if notice.due_at is None:
        raise Conflict(
            f"{notice.reference}: the clock starts at receipt, which is not confirmed yet"
        )
    reason = _reason(reason)
    notice.paused_at = utcnow()
    record_event(
        session, actor, notice, "paused", {"reason": reason}, at=notice.paused_at, reason=reason
    )
    return notice


def _end_pause(notice: Notice, now: datetime) -> int:
    assert notice.paused_at is not None
    seconds = max(0, int((now - notice.paused_at).total_seconds()))
    notice.paused_seconds += seconds
    if notice.due_at is not None:
        notice.due_at = notice.due_at + timedelta(seconds=seconds)
    notice.paused_at = None
    return seconds


def resume(session: Session, actor: Actor, notice_id: uuid.UUID, reason: str) -> Notice:
    """Restart the clock; the due time moves later by the length of the pause."""
    notice = _as_sender(session, actor, notice_id)
    _not_closed(notice, "resume")
    if notice.paused_at is None:
        raise Conflict(f"{notice.reference} is not paused")
    reason = _reason(reason)
    seconds = _end_pause(notice, utcnow())
    record_event(
        session,
        actor,
        notice,
        "resumed",
        {"reason": reason, "paused_seconds": seconds},
        reason=reason,
    )
    return notice
