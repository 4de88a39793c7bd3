"""Case pages: open a case from a report's page, invite, tasks, notes, evidence upload and
download, custody pages; a non-participant neither finds nor lists the case."""

from __future__ import annotations

import re
from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.cases.models import Case, CustodyEntry, Evidence
from contactpoint.core.db import transaction
from factories import actor_of, csrf_of, evidence_form, login, make_org, make_report, make_user


@dataclass
class World:
    fr_email: str
    nl_email: str
    analyst_email: str
    report_id: str
    reference: str
    de_org: str


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    with transaction(factory) as s:
        fr = make_org(s, "OFAC", "law-enforcement", "FR")
        de = make_org(s, "BKA", "law-enforcement", "DE")
        nl = make_org(s, "Politie", "law-enforcement", "NL")
        fr_inv = make_user(s, fr, ["investigator"])
        nl_inv = make_user(s, nl, ["investigator"])
        analyst = make_user(s, fr, ["analyst"])
        report = make_report(s, actor_of(analyst))
        return World(
            fr_inv.email, nl_inv.email, analyst.email, str(report.id), report.reference, str(de.id)
        )


def open_from_report(client: TestClient, w: World) -> str:
    page = client.get(f"/reports/{w.report_id}")
    assert 'id="open-case"' in page.text
    assert f'action="/cases/new?report_id={w.report_id}"' in page.text
    form = client.post(
        f"/cases/new?report_id={w.report_id}", data={"csrf_token": csrf_of(page.text)}
    )
    assert form.status_code == 200
    assert w.reference in form.text  # prefilled title and "from report"
    done = client.post(
        "/cases/new",
        data={
            "csrf_token": csrf_of(form.text),
            "report_id": w.report_id,
            "title": "Sofa fraud",
            "summary": "Sellers who never deliver",
            "references": "",
            "tlp": "AMBER",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303, done.text
    found = re.fullmatch(r"/cases/([0-9a-f-]{36})\?done=opened", done.headers["location"])
    assert found
    return found.group(1)


def test_open_a_case_from_a_report(client: TestClient, world: World) -> None:
    login(client, world.fr_email)
    cid = open_from_report(client, world)
    page = client.get(f"/cases/{cid}?done=opened")
    assert page.status_code == 200
    assert '<a href="/cases">Cases</a>' in page.text  # the navigation bar links the cases
    assert "<code>case.create</code>" in page.text  # the history
    assert "Case opened." in page.text
    assert "Sofa fraud" in page.text
    assert f'href="/reports/{world.report_id}">{world.reference}</a>' in page.text
    listing = client.get("/cases")
    assert f'href="/cases/{cid}"' in listing.text


def test_the_report_page_offers_no_case_without_the_permission(
    client: TestClient, world: World
) -> None:
    login(client, world.analyst_email)
    assert 'id="open-case"' not in client.get(f"/reports/{world.report_id}").text
    assert client.get("/cases").status_code == 403


def test_a_case_form_names_an_unknown_reference(client: TestClient, world: World) -> None:
    login(client, world.fr_email)
    page = client.get("/cases/new")
    resp = client.post(
        "/cases/new",
        data={"csrf_token": csrf_of(page.text), "title": "x", "references": "FR-1999-000001"},
    )
    assert resp.status_code == 422
    assert "FR-1999-000001" in resp.text
    assert client.get("/cases").text.count('href="/cases/') == 1  # only "Open a new case"


def post_case_form(client: TestClient, cid: str, path: str, data: dict[str, str]):  # type: ignore[no-untyped-def]
    page = client.get(f"/cases/{cid}")
    return client.post(
        f"/cases/{cid}/{path}",
        data={"csrf_token": csrf_of(page.text), **data},
        follow_redirects=False,
    )


def test_work_a_case_and_hide_it_from_others(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    login(client, world.fr_email)
    cid = open_from_report(client, world)
    assert post_case_form(client, cid, "tasks", {"title": "Ask the bank"}).status_code == 303
    late = {"title": "Hear the victim", "due_on": "2026-01-05"}
    assert post_case_form(client, cid, "tasks", late).status_code == 303
    assert post_case_form(client, cid, "notes", {"body": "Bank is slow"}).status_code == 303
    invited = post_case_form(
        client, cid, "participants", {"org_id": world.de_org, "reason": "IBAN"}
    )
    assert invited.status_code == 303
    bad = post_case_form(client, cid, "status", {"status": "closed", "reason": ""})
    assert bad.status_code == 422 and "reason" in bad.text
    page = client.get(f"/cases/{cid}").text
    assert "Ask the bank" in page and "Bank is slow" in page and "BKA" in page
    assert page.count('class="error overdue"') == 1  # only the task past its due date

    other = TestClient(client.app)
    login(other, world.nl_email)
    assert other.get(f"/cases/{cid}").status_code == 404
    assert f"/cases/{cid}" not in other.get("/cases").text
    assert "0 cases" in other.get("/cases").text


def test_evidence_upload_view_download_and_print(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    login(client, world.fr_email)
    cid = open_from_report(client, world)
    page = client.get(f"/cases/{cid}")
    form = page.text[page.text.index('action="/cases/' + cid + '/evidence"') :]
    assert form.index('name="csrf_token"') < form.index('name="file"')  # CSRF first
    content = b"%PDF-1.4 bank statement of the mule account"
    resp = client.post(
        f"/cases/{cid}/evidence",
        data={"csrf_token": csrf_of(page.text), **evidence_form(acquired_at="2026-03-02T09:30")},
        files={"file": ("statement.pdf", content, "application/pdf")},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    with transaction(factory) as s:
        ev = s.scalars(select(Evidence).where(Evidence.case_id == Case.id)).one()
        eid = str(ev.id)

    item = client.get(f"/cases/{cid}/evidence/{eid}")
    assert item.status_code == 200
    assert ev.sha256 in item.text and "Chain verified: 2 entries" in item.text
    assert "<code>evidence.acquired</code>" in client.get(f"/cases/{cid}").text  # history
    dl = client.post(
        f"/cases/{cid}/evidence/{eid}/download",
        data={"csrf_token": csrf_of(item.text), "reason": "for the prosecutor"},
    )
    assert dl.status_code == 200 and dl.content == content

    printable = client.get(f"/cases/{cid}/custody")
    assert printable.status_code == 200
    assert "/cases-static/print.css" in printable.text
    assert "statement.pdf" in printable.text and "for the prosecutor" in printable.text
    assert "Chain verified: 3 entries" in printable.text
    css = client.get("/cases-static/print.css")
    assert css.status_code == 200 and "@media print" in css.text
    with transaction(factory) as s:
        actions = [
            e.action.value
            for e in s.scalars(
                select(CustodyEntry)
                .where(CustodyEntry.evidence_id == ev.id)
                .order_by(CustodyEntry.seq)
            )
        ]
    assert actions == ["acquired", "viewed", "downloaded"]


def test_a_failed_upload_shows_the_reason_and_keeps_nothing(
    client: TestClient, world: World, factory: sessionmaker[Session], settings
) -> None:  # type: ignore[no-untyped-def]
    login(client, world.fr_email)
    cid = open_from_report(client, world)
    page = client.get(f"/cases/{cid}")
    resp = client.post(
        f"/cases/{cid}/evidence",
        data={"csrf_token": csrf_of(page.text), **evidence_form(sha256="f" * 64)},
        files={"file": ("a.txt", b"hello", "text/plain")},
    )
    assert resp.status_code == 422
    assert 'id="evidence-error"' in resp.text and "sha256" in resp.text
    with transaction(factory) as s:
        assert s.scalars(select(Evidence)).first() is None
    root = settings.var_dir / "evidence"
    assert not root.exists() or list(root.iterdir()) == []


@pytest.mark.parametrize(
    ("lang", "text"),
    [
        ("fr", "Ouvrir une nouvelle affaire"),
        ("de", "Neuen Fall eröffnen"),
        ("pl", "Załóż nową sprawę"),
    ],
)
def test_case_pages_are_translated(client: TestClient, world: World, lang: str, text: str) -> None:
    login(client, world.fr_email)
    assert text in client.get(f"/cases?lang={lang}").text


def test_open_a_case_from_a_campaign(client: TestClient, factory: sessionmaker[Session]) -> None:
    from contactpoint.correlation import service as campaigns
    from contactpoint.correlation.models import Campaign

    iban = "DE89370400440532013000"
    with transaction(factory) as s:
        fr = make_org(s, "OFAC", "law-enforcement", "FR")
        inv = make_user(s, fr, ["investigator"])
        analyst = make_user(s, fr, ["analyst"])
        reps = [
            make_report(
                s,
                actor_of(analyst),
                victim_country=cc,
                tlp="GREEN",
                description=f"I paid the seller to {iban} and got nothing",
            )
            for cc in ("FR", "DE")
        ]
        campaigns.link_reports(s, [r.id for r in reps])
        email, refs = inv.email, {r.reference for r in reps}
    with transaction(factory) as s:
        campaign_id = s.scalars(select(Campaign.id)).one()
    login(client, email)
    detail = client.get(f"/campaigns/{campaign_id}")
    assert f'href="/cases/new?campaign_id={campaign_id}"' in detail.text
    form = client.get(f"/cases/new?campaign_id={campaign_id}")
    assert form.status_code == 200
    for ref in refs:
        assert ref in form.text  # the members are prefilled as references to link
    unknown = "00000000-0000-4000-8000-000000000000"
    assert client.get(f"/cases/new?campaign_id={unknown}").status_code == 404
