"""Cooperation requests: draft, send, and the receiver's and requester's steps.

Every step appends a timeline event (which is also what the clocks are computed from),
writes an audit entry, and never commits. Requests are Marked rows owned by the requesting
organisation with the receiving organisation as their one recipient, so every read goes
through core.access: anyone else gets 404.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

from sqlalchemy import Select, func, select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.cooperation import deadlines, directory, rules
from contactpoint.cooperation.deadlines import Clock, ClockState, Event
from contactpoint.cooperation.legalbasis import Proposal, has_basis, propose
from contactpoint.cooperation.models import CLOSED, CoopEvent, CoopRequest, Status
from contactpoint.cooperation.rules import RequestType, Rules
from contactpoint.cooperation.schemas import RequestIn
from contactpoint.core import audit
from contactpoint.core.access import get_visible, select_visible, set_recipients
from contactpoint.core.actor import Actor
from contactpoint.core.config import get_settings
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from contactpoint.core.paging import newest_first

AUTHORITY_KINDS = ("law-enforcement", "eu-contact-point", "public-body")
PROVIDER_KINDS = ("isp", "hosting", "platform", "registrar")
# Steps either side records besides the main lifecycle, and which side may record them.
EXTRA_EVENTS = {
    "extended": "requester",
    "validated": "requester",
    "withdrawn": "requester",
    "mla_received": "receiver",
    "production_confirmed": "receiver",
}


def rules_for(session: Session) -> Rules:
    settings = session.info.get("settings") or get_settings()
    return rules.load(settings.cooperation_rules_file)


def _type(session: Session, code: str) -> RequestType:
    try:
        return rules_for(session).get(code)
    except KeyError as exc:
        raise InvalidInput(
            str(exc.args[0]), errors=[{"field": "type_code", "message": str(exc.args[0])}]
        ) from None


def _event(
    session: Session,
    actor: Actor,
    req: CoopRequest,
    kind: str,
    body: str | None = None,
    clock: str | None = None,
    at: datetime | None = None,
) -> CoopEvent:
    ev = CoopEvent(
        kind=kind,
        at=at or utcnow(),
        clock=clock,
        body=body,
        actor_label=actor.label,
        actor_org_id=actor.org_id,
    )
    req.events.append(ev)  # cascades the insert; keeps the loaded timeline in order
    session.flush()
    audit.record(
        session,
        actor,
        f"cooperation.{kind}",
        object_type="coop_request",
        object_id=req.id,
        details={"reference": req.reference, "clock": clock},
    )
    return ev


def events_of(req: CoopRequest) -> list[Event]:
    return [Event(e.kind, e.at, e.clock) for e in req.events]


def clocks(session: Session, req: CoopRequest, now: datetime | None = None) -> list[Clock]:
    rtype = _type(session, req.type_code)
    return deadlines.compute_all(
        rtype,
        events_of(req),
        now or utcnow(),
        emergency=req.emergency,
        notification=req.notify_enforcing_state,
    )


def refresh_due(session: Session, req: CoopRequest) -> None:
    """Keep ``next_due_at`` (earliest end of a running clock) for the due/overdue queries."""
    dues = [
        c.due_at
        for c in clocks(session, req)
        if c.state in (ClockState.RUNNING, ClockState.DUE_SOON, ClockState.OVERDUE)
        and c.due_at is not None
    ]
    req.next_due_at = min(dues) if dues else None


def _next_reference(session: Session, country: str) -> str:
    year = utcnow().year
    prefix = f"CR-{country}-{year}-"
    n = session.scalar(
        select(func.count())
        .select_from(CoopRequest)
        .where(CoopRequest.reference.like(f"{prefix}%"))
    )
    return f"{prefix}{int(n or 0) + 1:05d}"


def _receiver(session: Session, rtype: RequestType, data: RequestIn) -> Organisation:
    field = "receiving_org_id"
    if data.receiving_org_id is not None:
        org = session.get(Organisation, data.receiving_org_id)
        if org is None or not org.active:
            raise InvalidInput(
                "no such organisation",
                errors=[{"field": field, "message": "no such active organisation"}],
            )
    else:
        if not data.receiving_country:
            raise InvalidInput(
                "name the receiving organisation or country",
                errors=[{"field": field, "message": "required"}],
            )
        entry = directory.find_entry(session, data.receiving_country)
        org = (
            session.get(Organisation, entry.contact_point_org_id)
            if entry and entry.contact_point_org_id
            else None
        )
        if org is None:
            msg = f"the directory names no contact point organisation for {data.receiving_country}"
            raise InvalidInput(msg, errors=[{"field": field, "message": msg}])
    kinds = AUTHORITY_KINDS if rtype.addressee == "authority" else PROVIDER_KINDS
    if org.kind.value not in kinds:
        target = "an authority" if rtype.addressee == "authority" else "a provider"
        msg = f"a {rtype.title} goes to {target} ({', '.join(kinds)}), not to a {org.kind.value}"
        raise InvalidInput(msg, errors=[{"field": field, "message": msg}])
    return org


def create(session: Session, actor: Actor, data: RequestIn) -> CoopRequest:
    """A draft (visible to the requesting organisation only), sent at once with ``send``."""
    if not actor.org_id or not actor.country:
        raise Forbidden("only an organisation's user sends cooperation requests")
    rtype = _type(session, data.type_code)
    org = _receiver(session, rtype, data)
    if org.id == actor.org_id:
        raise InvalidInput(
            "a request goes to another organisation",
            errors=[{"field": "receiving_org_id", "message": "your own organisation"}],
        )
    known = {f.name for f in rtype.fields}
    extra = sorted(set(data.fields) - known)
    if extra:
        raise InvalidInput(
            f"fields not used by {rtype.code}: {', '.join(extra)}",
            errors=[{"field": f"fields.{n}", "message": "unknown field"} for n in extra],
        )
    req = CoopRequest(
        reference=_next_reference(session, actor.country),
        type_code=rtype.code,
        status=Status.DRAFT,
        emergency=data.emergency,
        subject=data.subject.strip(),
        requesting_country=actor.country,
        receiving_country=data.receiving_country or org.country,
        receiving_org_id=org.id,
        case_id=data.case_id,
        fields={k: v.strip() for k, v in data.fields.items() if v and v.strip()},
        legal_basis=(data.legal_basis or "").strip() or None,
        data_categories=list(data.data_categories),
        owner_org_id=actor.org_id,
        created_by_id=actor.user_id,
        tlp=data.tlp,
    )
    session.add(req)
    session.flush()
    _event(session, actor, req, "drafted")
    if data.send:
        send(session, actor, req.id)
    return req


def proposal(session: Session, requesting: str, receiving: str, emergency: bool) -> Proposal:
    today = utcnow().date()
    return propose(
        rules_for(session),
        directory.state_info(session, requesting),
        directory.state_info(session, receiving),
        emergency=emergency,
        today=today,
    )


def check_sendable(session: Session, req: CoopRequest) -> list[dict[str, str]]:
    """Every missing required field (naming its article) and a missing legal basis."""
    rtype = _type(session, req.type_code)
    errors = [
        {"field": f"fields.{f.name}", "message": f"{f.label}: required by {f.article}"}
        for f in rtype.required_fields
        if not (req.fields or {}).get(f.name)
    ]
    a = directory.state_info(session, req.requesting_country)
    b = directory.state_info(session, req.receiving_country)
    req.basis_warning = None
    if not has_basis(rtype, a, b, utcnow().date()):
        why = (
            "is not in force"
            if rtype.not_in_force
            else f"has no treaty basis between {a.country} and {b.country} in the directory"
        )
        req.basis_warning = f"{rtype.title} ({rtype.citation}) {why}"
        if not req.legal_basis:
            errors.append(
                {
                    "field": "legal_basis",
                    "message": f"{req.basis_warning}: state the legal basis explicitly",
                }
            )
    return errors


def send(session: Session, actor: Actor, request_id: uuid.UUID) -> CoopRequest:
    req = _own(session, actor, request_id)
    if req.status is not Status.DRAFT:
        raise Conflict(f"{req.reference} was already sent")
    errors = check_sendable(session, req)
    if errors:
        detail = "; ".join(f"{e['field']}: {e['message']}" for e in errors)
        raise InvalidInput(f"{req.reference} cannot be sent: {detail}", errors=errors)
    rtype = _type(session, req.type_code)
    req.notify_enforcing_state = deadlines.notification_required(rtype, req.data_categories)
    now = utcnow()
    req.status, req.sent_at = Status.SENT, now
    set_recipients(session, req, org_ids=[req.receiving_org_id])
    _event(session, actor, req, "sent", at=now)
    # Both organisations are on this node: receipt is the moment of sending.
    _event(session, actor, req, "received", at=now)
    refresh_due(session, req)
    return req


def get(session: Session, actor: Actor, request_id: uuid.UUID) -> CoopRequest:
    return get_visible(session, CoopRequest, request_id, actor)


def _own(session: Session, actor: Actor, request_id: uuid.UUID) -> CoopRequest:
    req = get(session, actor, request_id)
    if req.owner_org_id != actor.org_id:
        raise Forbidden(f"only the requesting organisation can do this on {req.reference}")
    return req


def _received(session: Session, actor: Actor, request_id: uuid.UUID) -> CoopRequest:
    req = get(session, actor, request_id)
    if req.receiving_org_id != actor.org_id:
        raise Forbidden(f"only the receiving organisation can do this on {req.reference}")
    if req.status is Status.DRAFT:
        raise NotFound(f"coop_request {request_id} not found")
    return req


def _open(req: CoopRequest, what: str) -> None:
    if req.status in CLOSED:
        raise Conflict(f"cannot {what}: {req.reference} is already {req.status.value}")


def _seconds(req: CoopRequest, at: datetime) -> int:
    return int((at - (req.sent_at or at)).total_seconds())


def acknowledge(
    session: Session, actor: Actor, request_id: uuid.UUID, note: str | None
) -> CoopRequest:
    req = _received(session, actor, request_id)
    _open(req, "acknowledge")
    if req.acknowledged_at is not None:
        raise Conflict(f"{req.reference} was already acknowledged")
    if req.type_code == "urgent-24-7" and not (note or "").strip():
        msg = (
            "say whether, in what form and when the request will be answered "
            "(Directive 2013/40/EU Art. 13(1))"
        )
        raise InvalidInput(msg, errors=[{"field": "note", "message": msg}])
    ev = _event(session, actor, req, "acknowledged", (note or "").strip() or None)
    req.acknowledged_at, req.seconds_to_acknowledge = ev.at, _seconds(req, ev.at)
    req.handler_id = actor.user_id
    if req.status is Status.SENT:
        req.status = Status.ACKNOWLEDGED
    refresh_due(session, req)
    return req


def ask_clarification(
    session: Session, actor: Actor, request_id: uuid.UUID, text: str
) -> CoopRequest:
    req = _received(session, actor, request_id)
    _open(req, "ask for clarification")
    if req.status is Status.CLARIFICATION:
        raise Conflict(f"{req.reference} already waits for a clarification")
    _event(session, actor, req, deadlines.PAUSE, text.strip())
    req.status = Status.CLARIFICATION
    refresh_due(session, req)
    return req


def answer_clarification(
    session: Session, actor: Actor, request_id: uuid.UUID, text: str
) -> CoopRequest:
    req = _own(session, actor, request_id)
    if req.status is not Status.CLARIFICATION:
        raise Conflict(f"{req.reference} does not wait for a clarification")
    _event(session, actor, req, deadlines.RESUME, text.strip())
    req.status = Status.ACKNOWLEDGED if req.acknowledged_at else Status.SENT
    refresh_due(session, req)
    return req


def answer(
    session: Session, actor: Actor, request_id: uuid.UUID, text: str, partial: bool
) -> CoopRequest:
    req = _received(session, actor, request_id)
    _open(req, "answer")
    if req.status is Status.CLARIFICATION and partial:
        raise Conflict(f"{req.reference} waits for a clarification")
    ev = _event(session, actor, req, "answered_partly" if partial else "answered", text.strip())
    if req.acknowledged_at is None:  # an answer says at least as much as an acknowledgement
        req.acknowledged_at, req.seconds_to_acknowledge = ev.at, _seconds(req, ev.at)
    if partial:
        req.status = Status.ANSWERED_PARTLY
    else:
        req.status, req.answered_at = Status.ANSWERED, ev.at
        req.seconds_to_answer = _seconds(req, ev.at)
    refresh_due(session, req)
    return req


def refuse(session: Session, actor: Actor, request_id: uuid.UUID, ground: str) -> CoopRequest:
    req = _received(session, actor, request_id)
    _open(req, "refuse")
    if not ground.strip():
        raise InvalidInput(
            "a refusal states its ground", errors=[{"field": "ground", "message": "required"}]
        )
    ev = _event(session, actor, req, "refused", ground.strip())
    req.status, req.refusal_ground, req.answered_at = Status.REFUSED, ground.strip(), ev.at
    req.seconds_to_answer = _seconds(req, ev.at)
    refresh_due(session, req)
    return req


def record(
    session: Session,
    actor: Actor,
    request_id: uuid.UUID,
    kind: str,
    clock: str | None = None,
    note: str | None = None,
) -> CoopRequest:
    """Extension, validation, withdrawal (requester); MLA request or production received."""
    side = EXTRA_EVENTS.get(kind)
    if side is None:
        raise InvalidInput(
            f"unknown step {kind!r}", errors=[{"field": "kind", "message": "unknown"}]
        )
    req = (
        _own(session, actor, request_id)
        if side == "requester"
        else _received(session, actor, request_id)
    )
    if req.status is Status.DRAFT:
        raise Conflict(f"{req.reference} has not been sent")
    if kind == "withdrawn":
        _open(req, "withdraw")
    if kind == "extended":
        rtype = _type(session, req.type_code)
        names = [c.name for c in rtype.clocks if c.extension]
        if clock is None and len(names) == 1:
            clock = names[0]
        if clock not in [c.name for c in rtype.clocks]:
            msg = (
                f"{rtype.title} ({rtype.citation}) has no extendable clock"
                if not names
                else f"name one of: {', '.join(names)}"
            )
            raise InvalidInput(msg, errors=[{"field": "clock", "message": msg}])
        reason = deadlines.may_extend(rtype.clock(clock), events_of(req), utcnow())
        if reason:
            raise InvalidInput(reason, errors=[{"field": "clock", "message": reason}])
    _event(session, actor, req, kind, (note or "").strip() or None, clock=clock)
    if kind == "withdrawn":
        req.status = Status.WITHDRAWN
    refresh_due(session, req)
    return req


# --- views ---------------------------------------------------------------------------------


def _sent(actor: Actor) -> Select[Any]:
    return select_visible(CoopRequest, actor).where(CoopRequest.status != Status.DRAFT)


def page(
    session: Session, actor: Actor, box: str, *, cursor: str | None = None, limit: int = 50
) -> tuple[list[CoopRequest], str | None]:
    """Inbox (received, sent ones only) or outbox (own, drafts too), newest first, with a
    keyset cursor: pass ``next_cursor`` back for the next page."""
    if box == "inbox":
        q = _sent(actor).where(CoopRequest.receiving_org_id == actor.org_id)
    else:
        q = select_visible(CoopRequest, actor).where(CoopRequest.owner_org_id == actor.org_id)
    found = newest_first(session, q, CoopRequest, cursor=cursor, limit=limit)
    return found.items, found.next_cursor


def inbox(session: Session, actor: Actor, limit: int = 200) -> list[CoopRequest]:
    return page(session, actor, "inbox", limit=limit)[0]


def outbox(session: Session, actor: Actor, limit: int = 200) -> list[CoopRequest]:
    return page(session, actor, "outbox", limit=limit)[0]


def by_clock_state(
    session: Session, actor: Actor, state: ClockState, now: datetime | None = None
) -> list[tuple[CoopRequest, list[Clock]]]:
    """Visible requests with a clock in ``state`` (due soon or overdue/expired), soonest first."""
    now = now or utcnow()
    horizon = (
        now if state in (ClockState.OVERDUE, ClockState.EXPIRED) else now + deadlines.DUE_SOON_MAX
    )
    q = _sent(actor).where(CoopRequest.next_due_at.is_not(None), CoopRequest.next_due_at <= horizon)
    out = []
    for req in session.scalars(q.order_by(CoopRequest.next_due_at)):
        hits = [c for c in clocks(session, req, now) if c.state is state]
        if hits:
            out.append((req, hits))
    return out


def org_names(session: Session) -> dict[uuid.UUID, str]:
    return {o.id: o.name for o in session.scalars(select(Organisation))}


def receivers(session: Session, actor: Actor) -> list[Organisation]:
    """Organisations a request may go to (authorities and providers other than one's own)."""
    q = select(Organisation).where(Organisation.active.is_(True), Organisation.id != actor.org_id)
    kinds = AUTHORITY_KINDS + PROVIDER_KINDS
    return [
        o
        for o in session.scalars(q.order_by(Organisation.country, Organisation.name))
        if o.kind.value in kinds
    ]


def as_utc(dt: datetime) -> datetime:
    return dt if dt.tzinfo else dt.replace(tzinfo=UTC)
