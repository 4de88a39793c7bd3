"""Triage of a report: classification, markings, assignment, workflow and analysts'
notes, each an audited step by the report's owner or recipients."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy.orm import Session

import contactpoint.taxonomy.service as taxonomy
from contactpoint.accounts.models import User
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.errors import Forbidden, InvalidInput
from contactpoint.reports import redact
from contactpoint.reports.models import TRANSITIONS, Note, Report, Status
from contactpoint.reports.schemas import NoteIn, TriageIn
from contactpoint.reports.service import get_report, is_system


def triage(session: Session, actor: Actor, report_id: uuid.UUID, data: TriageIn) -> Report:
    """Classify, mark, assign, move through the workflow and/or add a note, in one audited
    step. Only the fields present in ``data`` change."""
    if not (actor.can("reports:triage") or is_system(actor)):
        raise Forbidden("triage needs the permission 'reports:triage'")
    report = get_report(session, actor, report_id)
    given = data.model_fields_set
    changes: dict[str, list[Any]] = {}

    def change(name: str, value: Any) -> None:
        old = getattr(report, name)
        if old != value:
            changes[name] = [_plain(old), _plain(value)]
            setattr(report, name, value)

    _triage_classification(report, data, given, change)
    markings = {"tlp", "pap", "handling_code", "handling_text"} & given
    if markings:
        # Only the owner may relabel: a recipient lowering TLP would leak the report.
        if report.owner_org_id != actor.org_id and not is_system(actor):
            raise Forbidden("only the owning organisation may change the markings")
        for name in sorted(markings):
            value = getattr(data, name)
            if name in ("tlp", "pap") and value is None:
                raise InvalidInput(
                    f"{name} cannot be empty", errors=[{"field": name, "message": "required"}]
                )
            change(name, value)
    if "assigned_to_id" in given:
        if data.assigned_to_id is not None:
            _check_assignee(session, actor, data.assigned_to_id)
        change("assigned_to_id", data.assigned_to_id)
    if data.status is not None and data.status is not report.status:
        if data.status not in TRANSITIONS[report.status]:
            allowed = ", ".join(sorted(s.value for s in TRANSITIONS[report.status])) or "none"
            raise InvalidInput(
                f"a {report.status.value} report cannot become {data.status.value}",
                errors=[{"field": "status", "message": f"allowed next: {allowed}"}],
            )
        if data.status is Status.CLOSED and not (data.close_reason or "").strip():
            raise InvalidInput(
                "closing a report needs a reason",
                errors=[{"field": "close_reason", "message": "required"}],
            )
        change("status", data.status)
        change("close_reason", data.close_reason if data.status is Status.CLOSED else None)
    if changes:
        session.flush()
        audit.record(
            session,
            actor,
            "report.triage",
            object_type="report",
            object_id=report.id,
            reason=data.close_reason,
            details=changes,
        )
    if data.note:
        add_note(session, actor, report.id, data.note)
    return report


def _triage_classification(report: Report, data: TriageIn, given: set[str], change: Any) -> None:
    category = data.category if data.category is not None else report.category
    if data.category is not None:
        change("category", data.category)
    if "incident_type" in given or data.category is not None:
        itype = data.incident_type if "incident_type" in given else report.incident_type
        if itype is not None and itype not in taxonomy.incident_type_ids(category):
            if "incident_type" in given:
                raise InvalidInput(
                    f"unknown incident type {itype!r} for category {category.value}",
                    errors=[{"field": "incident_type", "message": "not in this category"}],
                )
            itype = None  # the old type does not belong to the new category
        change("incident_type", itype)
    if "offence" in given:
        if data.offence is not None and data.offence not in taxonomy.offence_codes():
            raise InvalidInput(
                f"unknown offence code {data.offence!r}",
                errors=[{"field": "offence", "message": "unknown code"}],
            )
        change("offence", data.offence)


def _check_assignee(session: Session, actor: Actor, user_id: uuid.UUID) -> None:
    user = session.get(User, user_id)
    if (
        user is None
        or not user.active
        or (user.organisation_id != actor.org_id and not is_system(actor))
    ):
        raise InvalidInput(
            "assign to an active user of your own organisation",
            errors=[{"field": "assigned_to_id", "message": "unknown user"}],
        )


def _plain(value: Any) -> Any:
    if isinstance(value, uuid.UUID):
        return str(value)
    return value.value if hasattr(value, "value") else value


def add_note(session: Session, actor: Actor, report_id: uuid.UUID, body: str | NoteIn) -> Note:
    """Add an analyst's note (a ``NoteIn`` or its text); audited."""
    if not (actor.can("reports:triage") or is_system(actor)):
        raise Forbidden("notes need the permission 'reports:triage'")
    # A card number pasted into a note is redacted like one in a description.
    body = redact.redact_text((body.body if isinstance(body, NoteIn) else body).strip())
    if not body:
        raise InvalidInput(
            "a note cannot be empty", errors=[{"field": "body", "message": "required"}]
        )
    report = get_report(session, actor, report_id)
    note = Note(
        report_id=report.id,
        author_user_id=actor.user_id,
        author_org_id=actor.org_id,
        author_label=actor.label,
        body=body,
    )
    session.add(note)
    session.flush()
    audit.record(
        session,
        actor,
        "report.note.add",
        object_type="report",
        object_id=report.id,
        details={"note_id": str(note.id)},
    )
    return note
