"""Analyst pages through the real app: queue, filters, paging, detail, triage, contact."""

from __future__ import annotations

import re

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.core.audit import AuditEntry
from contactpoint.core.markings import TLP
from contactpoint.reports.models import Report
from factories import actor_of, csrf_of, login, make_org, make_report, make_user


def refs(html: str) -> list[str]:
    return re.findall(r'<a href="/reports/[0-9a-f-]+">([A-Z]{2}-\d{4}-\d{6})</a>', html)


@pytest.fixture
def analyst(db: Session):  # type: ignore[no-untyped-def]
    org = make_org(db, "Police FR", country="FR")
    user = make_user(db, org, ["analyst"], email="ana@police.example")
    db.commit()
    return user


def test_queue_needs_a_login(client: TestClient) -> None:
    resp = client.get("/reports", follow_redirects=False)
    assert resp.status_code == 303 and resp.headers["location"].startswith("/login")


def test_queue_shows_visible_reports_and_filters(client: TestClient, db: Session, analyst) -> None:  # type: ignore[no-untyped-def]
    me = actor_of(analyst)
    fr = make_report(db, me, description="Faux vendeur de voiture sur un site d'annonces")
    de = make_report(
        db,
        me,
        victim_country="DE",
        description="Gefälschter Onlineshop für Fahrräder, Ware nie geliefert",
    )
    other = make_org(db, "Police BE", country="BE")
    hidden = make_report(db, actor_of(make_user(db, other, ["analyst"])), victim_country="BE")
    db.commit()
    login(client, analyst.email)

    page = client.get("/reports")
    assert page.status_code == 200
    shown = refs(page.text)
    assert fr.reference in shown and de.reference in shown
    assert hidden.reference not in shown  # AMBER of another organisation
    assert "TLP:AMBER" in page.text

    assert refs(client.get("/reports?victim_country=DE").text) == [de.reference]
    assert refs(client.get("/reports?q=vendeur").text) == [fr.reference]
    assert refs(client.get(f"/reports?reference={de.reference.lower()}").text) == [de.reference]
    assert refs(client.get(f"/reports?reference={hidden.reference}").text) == []
    assert refs(client.get("/reports?status=closed").text) == []
    assert fr.reference in refs(client.get("/reports?category=traditional-crime").text)

    bad = client.get("/reports?date_from=yesterday")
    assert bad.status_code == 422 and "date_from" in bad.text


def test_queue_pages_with_a_next_link(
    client: TestClient,
    db: Session,
    analyst,  # type: ignore[no-untyped-def]
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    from contactpoint.reports import ui

    monkeypatch.setattr(ui, "PAGE_SIZE", 2)
    made = {make_report(db, actor_of(analyst)).reference for _ in range(5)}
    db.commit()
    login(client, analyst.email)
    seen: list[str] = []
    url: str | None = "/reports?victim_country=FR"
    while url:
        page = client.get(url)
        seen += refs(page.text)
        found = re.search(r'<a href="([^"]+)" rel="next"', page.text)
        url = found.group(1).replace("&amp;", "&") if found else None
        if url:
            assert "victim_country=FR" in url  # the filters are kept
    assert len(seen) == 5 and set(seen) == made


def test_invisible_report_is_not_found(client: TestClient, db: Session, analyst) -> None:  # type: ignore[no-untyped-def]
    other = make_user(db, make_org(db, "Bank NL", kind="bank", country="NL"), ["analyst"])
    hidden = make_report(db, actor_of(other), victim_country="NL")
    db.commit()
    login(client, analyst.email)
    assert client.get(f"/reports/{hidden.id}").status_code == 404
    assert client.get("/reports/not-a-uuid").status_code == 404


def test_triage_changes_status_and_is_audited(client: TestClient, db: Session, analyst) -> None:  # type: ignore[no-untyped-def]
    colleague = make_user(db, analyst.organisation, ["analyst"], email="col@police.example")
    report = make_report(db, actor_of(analyst))
    db.commit()
    login(client, analyst.email)
    page = client.get(f"/reports/{report.id}")
    assert page.status_code == 200 and report.reference in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "category": "traditional-crime",
        "incident_type": report.incident_type or "",
        "offence": "ets185-art8",
        "status": "triaged",
        "assigned_to_id": str(colleague.id),
        "tlp": "RED",
        "pap": "AMBER",
        "handling_code": "H1",
        "handling_text": "",
        "close_reason": "",
    }
    resp = client.post(f"/reports/{report.id}/triage", data=form, follow_redirects=False)
    assert resp.status_code == 303, resp.text

    db.expire_all()
    stored = db.get(Report, report.id)
    assert stored is not None
    assert stored.status.value == "triaged" and stored.tlp is TLP.RED
    assert stored.assigned_to_id == colleague.id
    entry = db.scalars(
        select(AuditEntry).where(
            AuditEntry.action == "report.triage", AuditEntry.object_id == str(report.id)
        )
    ).one()
    assert entry.details and entry.details["status"] == ["new", "triaged"]
    db.commit()  # end the read: SQLite allows one writer, and the app writes next
    detail = client.get(resp.headers["location"])
    assert "Triage saved." in detail.text and "report.triage" in detail.text

    # A step the workflow forbids is refused on the page, and nothing changes.
    form |= {"csrf_token": csrf_of(detail.text)}
    back = client.post(f"/reports/{report.id}/triage", data=form | {"status": "new"})
    assert back.status_code == 422 and "allowed next" in back.text
    refused = client.post(f"/reports/{report.id}/triage", data=form | {"status": "closed"})
    assert refused.status_code == 422 and "reason" in refused.text
    db.expire_all()
    assert db.get(Report, report.id).status.value == "triaged"  # type: ignore[union-attr]


def test_note_is_added(client: TestClient, db: Session, analyst) -> None:  # type: ignore[no-untyped-def]
    report = make_report(db, actor_of(analyst))
    db.commit()
    login(client, analyst.email)
    page = client.get(f"/reports/{report.id}")
    resp = client.post(
        f"/reports/{report.id}/notes",
        data={"csrf_token": csrf_of(page.text), "body": "Called the bank."},
    )
    assert resp.status_code == 200 and "Called the bank." in resp.text


def test_contact_needs_a_reason_and_is_audited(client: TestClient, db: Session, analyst) -> None:  # type: ignore[no-untyped-def]
    report = make_report(
        db, actor_of(analyst), reporter_email="victim@mail.example", contact_consent=True
    )
    db.commit()
    login(client, analyst.email)
    page = client.get(f"/reports/{report.id}")
    assert "victim@mail.example" not in page.text
    token = csrf_of(page.text)

    refused = client.post(
        f"/reports/{report.id}/contact", data={"csrf_token": token, "reason": "  "}
    )
    assert refused.status_code == 422 and 'id="f-reason-error"' in refused.text
    assert "victim@mail.example" not in refused.text
    assert not db.scalars(
        select(AuditEntry).where(AuditEntry.action == "report.contact.read")
    ).all()
    db.commit()

    shown = client.post(
        f"/reports/{report.id}/contact",
        data={"csrf_token": token, "reason": "call back about the refund"},
    )
    assert shown.status_code == 200 and "victim@mail.example" in shown.text
    assert shown.headers["cache-control"] == "no-store"
    entry = db.scalars(select(AuditEntry).where(AuditEntry.action == "report.contact.read")).one()
    assert entry.reason == "call back about the refund"
    assert entry.actor_label == analyst.email


def test_recipient_triages_but_cannot_relabel(client: TestClient, db: Session, analyst) -> None:  # type: ignore[no-untyped-def]
    bank = make_user(db, make_org(db, "Bank FR", kind="bank", country="FR"), ["analyst"])
    report = make_report(db, actor_of(bank))  # owned by the bank; the French police receive it
    db.commit()
    login(client, analyst.email)
    page = client.get(f"/reports/{report.id}")
    assert page.status_code == 200
    assert 'name="tlp"' not in page.text and "Only the owning organisation" in page.text
    resp = client.post(
        f"/reports/{report.id}/triage",
        data={"csrf_token": csrf_of(page.text), "status": "triaged"},
        follow_redirects=False,
    )
    assert resp.status_code == 303
