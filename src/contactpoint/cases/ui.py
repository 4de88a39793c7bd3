"""Investigator pages: the case list, opening a case (also from a report's page), a case's
detail with participants, tasks, notes and evidence.

Plain forms that POST and redirect (303), so the pages work without JavaScript. Every read
goes through cases.service and so through core.access: a case the user may not see is a
404 here as in the API. Evidence pages are in cases.ui_evidence, mounted on this router.
"""

from __future__ import annotations

import uuid
from typing import Any
from urllib.parse import urlencode

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse
from pydantic import ValidationError
from sqlalchemy.orm import Session

from contactpoint.cases import service, ui_evidence
from contactpoint.cases.pages import (
    Investigator,
    case_page,
    errors_text,
    form_of,
    labels,
    org_names,
    parse_id,
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
from contactpoint.core.actor import Actor
from contactpoint.core.errors import InvalidInput, NotFound
from contactpoint.core.i18n import gettext as _
from contactpoint.core.web import DB, render
from contactpoint.correlation import service as campaigns
from contactpoint.reports import service as reports
from contactpoint.reports.models import Report

router = APIRouter(include_in_schema=False)
router.include_router(ui_evidence.router)
PAGE_SIZE = 25


# ----------------------------------------------------------------------------- list


@router.get("/cases", response_class=HTMLResponse)
def case_list(request: Request, db: DB, actor: Investigator) -> HTMLResponse:
    f = {k: request.query_params.get(k, "").strip() for k in ("status", "q")}
    kept = {k: v for k, v in f.items() if v}
    cursor = request.query_params.get("cursor") or None
    ctx: dict[str, Any] = labels() | {"f": f, "items": [], "next_url": None, "total": 0}
    try:
        filters = CaseFilter.model_validate(kept)
        page = service.list_cases(db, actor, filters, cursor=cursor, limit=PAGE_SIZE)
    except (ValidationError, InvalidInput) as exc:
        ctx["error"] = errors_text(exc)
        return render(request, "cases/list.html", ctx, status_code=422)
    ctx["items"] = page.items
    ctx["total"] = service.count_cases(db, actor, filters)
    ctx["orgs"] = org_names(db, [c.owner_org_id for c in page.items])
    if page.next_cursor:
        ctx["next_url"] = "/cases?" + urlencode(kept | {"cursor": page.next_cursor})
    return render(request, "cases/list.html", ctx)


# ----------------------------------------------------------------------------- open


def _new_form(
    request: Request, form: dict[str, str], status_code: int = 200, error: str | None = None
) -> HTMLResponse:
    return render(
        request, "cases/new.html", {"form": form, "error": error}, status_code=status_code
    )


def _report_ids(db: Session, actor: Actor, form: dict[str, str]) -> list[uuid.UUID]:
    """Reports named on the form by id (the report page's button) or by reference."""
    ids: list[uuid.UUID] = []
    if form.get("report_id"):
        ids.append(reports.get_report(db, actor, parse_id(form["report_id"], "report")).id)
    bad = []
    for ref in form.get("references", "").replace(",", "\n").split():
        try:
            ids.append(reports.find_by_reference(db, actor, ref).id)
        except NotFound:
            bad.append(ref)
    if bad:
        raise InvalidInput(
            _("These reports were not found: %(refs)s") % {"refs": ", ".join(bad)},
            errors=[{"field": "references", "message": ", ".join(bad)}],
        )
    return list(dict.fromkeys(ids))


@router.get("/cases/new", response_class=HTMLResponse)
def new_case_form(request: Request, db: DB, actor: Investigator) -> HTMLResponse:
    form = {"report_id": request.query_params.get("report_id", "")}
    campaign_id = request.query_params.get("campaign_id")
    if campaign_id:
        # From a campaign's page: prefill the members this investigator may see.
        campaign = campaigns.get_campaign(db, actor, parse_id(campaign_id, "campaign"))
        form["title"] = _("Campaign of %(n)s reports") % {"n": len(campaign["members"])}
        form["references"] = "\n".join(m["reference"] for m in campaign["members"])
    return _new_form(request, form)


@router.post("/cases/new", response_class=HTMLResponse, response_model=None)
async def new_case(
    request: Request, db: DB, actor: Investigator
) -> HTMLResponse | RedirectResponse:
    """From a report's page (no title yet): show the form prefilled; else open the case."""
    form = await form_of(request)
    form.setdefault("report_id", request.query_params.get("report_id", ""))
    if "title" not in form:
        report: Report | None = None
        if form["report_id"]:
            report = reports.get_report(db, actor, parse_id(form["report_id"], "report"))
            form["title"] = _("Report %(ref)s") % {"ref": report.reference}
            form["report_reference"] = report.reference
        return _new_form(request, form)
    try:
        data = CaseIn.model_validate(
            {
                "title": form.get("title", ""),
                "summary": form.get("summary", ""),
                "tlp": form.get("tlp") or "AMBER",
                "report_ids": _report_ids(db, actor, form),
            }
        )
        case = service.create_case(db, actor, data)
    except (ValidationError, InvalidInput) as exc:
        return _new_form(request, form, 422, errors_text(exc))
    return RedirectResponse(f"/cases/{case.id}?done=opened", status_code=303)


# --------------------------------------------------------------------------- detail


@router.get("/cases/{case_id}", response_class=HTMLResponse)
def detail(request: Request, case_id: str, db: DB, actor: Investigator) -> HTMLResponse:
    return case_page(request, db, actor, service.get_case(db, actor, parse_id(case_id)))


async def _act(
    request: Request, db: Session, actor: Actor, case_id: str, done: str, anchor: str, action: Any
) -> HTMLResponse | RedirectResponse:
    """Run one form's action; on bad input show the case again with the error (422)."""
    cid = parse_id(case_id)
    case = service.get_case(db, actor, cid)
    form = await form_of(request)
    try:
        action(cid, form)
    except (ValidationError, InvalidInput) as exc:
        db.rollback()
        case = service.get_case(db, actor, cid)
        return case_page(request, db, actor, case, 422, error=errors_text(exc), form=form)
    return RedirectResponse(f"/cases/{case.id}?done={done}#{anchor}", status_code=303)


@router.post("/cases/{case_id}/status", response_class=HTMLResponse, response_model=None)
async def set_status(
    request: Request, case_id: str, db: DB, actor: Investigator
) -> HTMLResponse | RedirectResponse:
    def action(cid: uuid.UUID, form: dict[str, str]) -> None:
        data = StatusIn.model_validate(
            {"status": form.get("status", ""), "reason": form.get("reason") or None}
        )
        service.set_status(db, actor, cid, data)

    return await _act(request, db, actor, case_id, "status", "status", action)


@router.post("/cases/{case_id}/participants", response_class=HTMLResponse, response_model=None)
async def invite(
    request: Request, case_id: str, db: DB, actor: Investigator
) -> HTMLResponse | RedirectResponse:
    def action(cid: uuid.UUID, form: dict[str, str]) -> None:
        data = ParticipantIn.model_validate(
            {"org_id": form.get("org_id", ""), "reason": form.get("reason") or None}
        )
        service.invite(db, actor, cid, data)

    return await _act(request, db, actor, case_id, "invited", "participants", action)


@router.post("/cases/{case_id}/reports", response_class=HTMLResponse, response_model=None)
async def link(
    request: Request, case_id: str, db: DB, actor: Investigator
) -> HTMLResponse | RedirectResponse:
    def action(cid: uuid.UUID, form: dict[str, str]) -> None:
        ids = _report_ids(db, actor, {"references": form.get("references", "")})
        if not ids:
            raise InvalidInput(
                _("Give at least one report reference."),
                errors=[{"field": "references", "message": "required"}],
            )
        service.link_reports(db, actor, cid, ids)

    return await _act(request, db, actor, case_id, "linked", "reports", action)


@router.post("/cases/{case_id}/tasks", response_class=HTMLResponse, response_model=None)
async def add_task(
    request: Request, case_id: str, db: DB, actor: Investigator
) -> HTMLResponse | RedirectResponse:
    def action(cid: uuid.UUID, form: dict[str, str]) -> None:
        data = TaskIn.model_validate(
            {
                "title": form.get("title", ""),
                "assignee_id": form.get("assignee_id") or None,
                "due_on": form.get("due_on") or None,
            }
        )
        service.add_task(db, actor, cid, data)

    return await _act(request, db, actor, case_id, "task", "tasks", action)


@router.post(
    "/cases/{case_id}/tasks/{task_id}/done", response_class=HTMLResponse, response_model=None
)
async def toggle_task(
    request: Request, case_id: str, task_id: str, db: DB, actor: Investigator
) -> HTMLResponse | RedirectResponse:
    def action(cid: uuid.UUID, form: dict[str, str]) -> None:
        data = TaskUpdate.model_validate({"done": form.get("done") == "1"})
        service.update_task(db, actor, cid, parse_id(task_id, "task"), data)

    return await _act(request, db, actor, case_id, "task", "tasks", action)


@router.post("/cases/{case_id}/notes", response_class=HTMLResponse, response_model=None)
async def add_note(
    request: Request, case_id: str, db: DB, actor: Investigator
) -> HTMLResponse | RedirectResponse:
    def action(cid: uuid.UUID, form: dict[str, str]) -> None:
        service.add_note(db, actor, cid, NoteIn.model_validate({"body": form.get("body", "")}))

    return await _act(request, db, actor, case_id, "note", "notes", action)
