"""Cases: open from reports, list, status, participants, tasks and notes.

Every read goes through core.access (a case is visible to its owner organisation and to
the organisations invited as participants, who are its share recipients); every write is
audited. Services never commit. Evidence lives in cases.evidence.
"""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation, User
from contactpoint.cases.models import (
    Case,
    CaseNote,
    CaseParticipant,
    CaseReport,
    CaseStatus,
    CaseTask,
    Evidence,
)
from contactpoint.cases.schemas import (
    CaseFilter,
    CaseIn,
    NoteIn,
    ParticipantIn,
    StatusIn,
    TaskIn,
    TaskUpdate,
)
from contactpoint.core import audit
from contactpoint.core.access import get_visible, select_visible, set_recipients, visible
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from contactpoint.core.markings import TLP
from contactpoint.core.paging import Page, newest_first
from contactpoint.reports.models import Report


def _require_manage(actor: Actor) -> None:
    if not (actor.can("cases:manage") or "system" in actor.roles):
        raise Forbidden("working on cases needs the permission 'cases:manage'")


def _require_owner(actor: Actor, case: Case) -> None:
    """Status and participants belong to the organisation that opened the case."""
    if "system" not in actor.roles and case.owner_org_id != actor.org_id:
        raise Forbidden("only the organisation that opened the case may do this")


def require_open(case: Case) -> None:
    if case.status is CaseStatus.CLOSED:
        raise Conflict("the case is closed; reopen it first")


def get_case(session: Session, actor: Actor, case_id: uuid.UUID) -> Case:
    return get_visible(session, Case, case_id, actor)


def case_org_ids(case: Case) -> list[uuid.UUID]:
    """The organisations working the case: the owner, then the participants."""
    ids = [case.owner_org_id] if case.owner_org_id else []
    return ids + [p.org_id for p in case.participants if p.org_id not in ids]


# ----------------------------------------------------------------------------- open


def _visible_reports(session: Session, actor: Actor, ids: list[uuid.UUID]) -> list[Report]:
    """The reports behind ``ids``, all of which the actor must see (else 422 naming each)."""
    found = {
        r.id: r for r in session.scalars(select_visible(Report, actor).where(Report.id.in_(ids)))
    }
    errors = [
        {"field": f"report_ids.{i}", "message": f"report {rid} not found"}
        for i, rid in enumerate(ids)
        if rid not in found
    ]
    if errors:
        raise InvalidInput("some reports cannot be linked: not found", errors=errors)
    return [found[rid] for rid in dict.fromkeys(ids)]


def _check_lead(session: Session, org_id: uuid.UUID | None, user_id: uuid.UUID) -> None:
    user = session.get(User, user_id)
    if user is None or not user.active or user.organisation_id != org_id:
        raise InvalidInput(
            "the lead investigator must be an active user of your organisation",
            errors=[
                {"field": "lead_investigator_id", "message": "not a user of your organisation"}
            ],
        )


def create_case(session: Session, actor: Actor, data: CaseIn) -> Case:
    """Open a case owned by the actor's organisation, linking reports the actor sees."""
    _require_manage(actor)
    if actor.org_id is None:
        raise Forbidden("a case belongs to an organisation; act as one of its users")
    reports = _visible_reports(session, actor, data.report_ids)
    lead = data.lead_investigator_id or actor.user_id
    if lead is not None:
        _check_lead(session, actor.org_id, lead)
    case = Case(
        id=uuid.uuid4(),
        title=data.title.strip(),
        summary=data.summary.strip(),
        status=CaseStatus.OPEN,
        owner_org_id=actor.org_id,
        created_by_id=actor.user_id,
        lead_investigator_id=lead,
        tlp=TLP(data.tlp),
    )
    session.add(case)
    session.flush()
    for report in reports:
        session.add(CaseReport(case_id=case.id, report_id=report.id, linked_by_id=actor.user_id))
    session.flush()
    audit.record(
        session,
        actor,
        "case.create",
        object_type="case",
        object_id=case.id,
        details={"title": case.title, "report_ids": [str(r.id) for r in reports]},
    )
    return case


def link_reports(
    session: Session, actor: Actor, case_id: uuid.UUID, report_ids: list[uuid.UUID]
) -> list[Report]:
    _require_manage(actor)
    case = get_case(session, actor, case_id)
    require_open(case)
    reports = _visible_reports(session, actor, report_ids)
    linked = set(session.scalars(select(CaseReport.report_id).where(CaseReport.case_id == case.id)))
    new = [r for r in reports if r.id not in linked]
    for report in new:
        session.add(CaseReport(case_id=case.id, report_id=report.id, linked_by_id=actor.user_id))
    session.flush()
    if new:
        audit.record(
            session,
            actor,
            "case.reports.link",
            object_type="case",
            object_id=case.id,
            details={"report_ids": [str(r.id) for r in new]},
        )
    return new


def linked_reports(session: Session, actor: Actor, case: Case) -> tuple[list[Report], int]:
    """The linked reports the actor may see, and how many others are linked."""
    ids = select(CaseReport.report_id).where(CaseReport.case_id == case.id)
    shown = list(
        session.scalars(
            select_visible(Report, actor).where(Report.id.in_(ids)).order_by(Report.created_at)
        )
    )
    total = session.scalar(
        select(func.count()).select_from(CaseReport).where(CaseReport.case_id == case.id)
    )
    return shown, int(total or 0) - len(shown)


# ----------------------------------------------------------------------------- list


def _where(actor: Actor, f: CaseFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [visible(Case, actor)]
    if f.status is not None:
        conds.append(Case.status == f.status)
    if f.q and f.q.strip():
        term = f.q.strip().lower().replace("\\", "\\\\").replace("%", "\\%").replace("_", "\\_")
        pattern = f"%{term}%"
        conds.append(
            or_(
                func.lower(Case.title).like(pattern, escape="\\"),
                func.lower(Case.summary).like(pattern, escape="\\"),
            )
        )
    return conds


def list_cases(
    session: Session,
    actor: Actor,
    filters: CaseFilter,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Case]:
    """Visible cases, newest first, keyset-paginated."""
    stmt = select(Case).where(*_where(actor, filters))
    return newest_first(session, stmt, Case, cursor=cursor, limit=limit)


def count_cases(session: Session, actor: Actor, filters: CaseFilter) -> int:
    stmt = select(func.count()).select_from(Case).where(*_where(actor, filters))
    return int(session.scalar(stmt) or 0)


# ------------------------------------------------------------------ status, participants


def set_status(session: Session, actor: Actor, case_id: uuid.UUID, data: StatusIn) -> Case:
    _require_manage(actor)
    case = get_case(session, actor, case_id)
    _require_owner(actor, case)
    if case.status is data.status:
        raise Conflict(f"the case is already {data.status.value}")
    old = case.status
    case.status = data.status
    case.status_reason = data.reason
    session.flush()
    audit.record(
        session,
        actor,
        "case.status",
        object_type="case",
        object_id=case.id,
        reason=data.reason,
        details={"from": old.value, "to": data.status.value},
    )
    return case


def sync_evidence_markings(session: Session, case: Case) -> None:
    """Evidence is visible exactly when its case is: copy markings and recipients over."""
    orgs = [p.org_id for p in case.participants]
    for ev in session.scalars(select(Evidence).where(Evidence.case_id == case.id)):
        ev.owner_org_id = case.owner_org_id
        ev.tlp, ev.pap = case.tlp, case.pap
        ev.handling_code, ev.handling_text = case.handling_code, case.handling_text
        set_recipients(session, ev, org_ids=orgs)


def invite(
    session: Session, actor: Actor, case_id: uuid.UUID, data: ParticipantIn
) -> CaseParticipant:
    """Share the case with another organisation, which then sees it and its evidence."""
    _require_manage(actor)
    case = get_case(session, actor, case_id)
    _require_owner(actor, case)
    require_open(case)
    org = session.get(Organisation, data.org_id)
    if org is None or not org.active:
        raise InvalidInput(
            "no such organisation",
            errors=[{"field": "org_id", "message": f"organisation {data.org_id} not found"}],
        )
    if data.org_id in case_org_ids(case):
        raise Conflict(f"{org.name} already works on this case")
    row = CaseParticipant(
        case_id=case.id,
        org_id=org.id,
        invited_by_label=actor.label,
        reason=(data.reason or "").strip() or None,
    )
    case.participants.append(row)
    session.flush()
    set_recipients(session, case, org_ids=[p.org_id for p in case.participants])
    sync_evidence_markings(session, case)
    audit.record(
        session,
        actor,
        "case.participant.invite",
        object_type="case",
        object_id=case.id,
        reason=row.reason,
        details={"org_id": str(org.id), "org": org.name},
    )
    return row


# ----------------------------------------------------------------------- tasks, notes


def _check_assignee(session: Session, case: Case, user_id: uuid.UUID) -> None:
    user = session.get(User, user_id)
    if user is None or not user.active or user.organisation_id not in case_org_ids(case):
        raise InvalidInput(
            "the assignee must be a user of an organisation working on the case",
            errors=[{"field": "assignee_id", "message": "not a user of a case organisation"}],
        )


def add_task(session: Session, actor: Actor, case_id: uuid.UUID, data: TaskIn) -> CaseTask:
    _require_manage(actor)
    case = get_case(session, actor, case_id)
    require_open(case)
    if data.assignee_id:
        _check_assignee(session, case, data.assignee_id)
    task = CaseTask(
        case_id=case.id,
        title=data.title.strip(),
        assignee_id=data.assignee_id,
        due_on=data.due_on,
    )
    case.tasks.append(task)
    session.flush()
    audit.record(
        session,
        actor,
        "case.task.add",
        object_type="case",
        object_id=case.id,
        details={"task_id": str(task.id), "title": task.title},
    )
    return task


def _task(session: Session, actor: Actor, case_id: uuid.UUID, task_id: uuid.UUID) -> CaseTask:
    case = get_case(session, actor, case_id)
    task = session.get(CaseTask, task_id)
    if task is None or task.case_id != case.id:
        raise NotFound(f"task {task_id} not found")
    return task


def update_task(
    session: Session, actor: Actor, case_id: uuid.UUID, task_id: uuid.UUID, data: TaskUpdate
) -> CaseTask:
    _require_manage(actor)
    task = _task(session, actor, case_id, task_id)
    require_open(task.case)
    given = data.model_fields_set
    changes: dict[str, object] = {}
    if "assignee_id" in given and data.assignee_id is not None:
        _check_assignee(session, task.case, data.assignee_id)
    for name in ("title", "assignee_id", "due_on", "done"):
        value = getattr(data, name)
        if name not in given or (name in ("title", "done") and value is None):
            continue  # title and done cannot be cleared, only changed
        if getattr(task, name) != value:
            changes[name] = str(value) if value is not None else None
            setattr(task, name, value)
    if "done" in changes:
        task.done_at = utcnow() if task.done else None
    session.flush()
    if changes:
        audit.record(
            session,
            actor,
            "case.task.update",
            object_type="case",
            object_id=task.case_id,
            details={"task_id": str(task.id), "changes": changes},
        )
    return task


def delete_task(session: Session, actor: Actor, case_id: uuid.UUID, task_id: uuid.UUID) -> None:
    _require_manage(actor)
    task = _task(session, actor, case_id, task_id)
    require_open(task.case)
    audit.record(
        session,
        actor,
        "case.task.delete",
        object_type="case",
        object_id=task.case_id,
        details={"task_id": str(task.id), "title": task.title},
    )
    session.delete(task)
    session.flush()


def add_note(session: Session, actor: Actor, case_id: uuid.UUID, data: NoteIn) -> CaseNote:
    _require_manage(actor)
    case = get_case(session, actor, case_id)
    if not data.body.strip():
        raise InvalidInput("a note cannot be empty", errors=[{"field": "body", "message": "empty"}])
    note = CaseNote(
        case_id=case.id,
        author_user_id=actor.user_id,
        author_org_id=actor.org_id,
        author_label=actor.label,
        body=data.body.strip(),
    )
    case.notes.append(note)
    session.flush()
    audit.record(
        session,
        actor,
        "case.note.add",
        object_type="case",
        object_id=case.id,
        details={"note_id": str(note.id)},
    )
    return note
