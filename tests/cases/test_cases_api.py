"""/api/v1/cases: open from reports, visibility to participants only, status, tasks, notes,
and the audit entries every write leaves."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import transaction
from factories import actor_of, bearer, make_org, make_report, make_token, make_user

PERMS = ["cases:manage", "reports:read"]


@dataclass
class World:
    fr: dict[str, str]
    de: dict[str, str]
    nl: dict[str, str]
    fr_org: str
    de_org: str
    nl_org: str
    de_user: str
    fr_report: str
    de_report: str


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    with transaction(factory) as s:
        fr = make_org(s, "OFAC", "law-enforcement", "FR")
        de = make_org(s, "BKA", "law-enforcement", "DE")
        nl = make_org(s, "Politie", "law-enforcement", "NL")
        fr_user = make_user(s, fr, ["investigator"])
        de_user = make_user(s, de, ["investigator"])
        nl_user = make_user(s, nl, ["investigator"])
        fr_report = make_report(s, actor_of(make_user(s, fr, ["analyst"])))
        de_report = make_report(s, actor_of(make_user(s, de, ["analyst"])), victim_country="DE")
        return World(
            fr=bearer(make_token(s, fr_user, PERMS)[1]),
            de=bearer(make_token(s, de_user, PERMS)[1]),
            nl=bearer(make_token(s, nl_user, PERMS)[1]),
            fr_org=str(fr.id),
            de_org=str(de.id),
            nl_org=str(nl.id),
            de_user=str(de_user.id),
            fr_report=str(fr_report.id),
            de_report=str(de_report.id),
        )


def errors_of(resp, status: int) -> set[str]:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    return {e["field"] for e in resp.json().get("errors", [])}


def open_case(client: TestClient, w: World, **extra: object) -> dict[str, object]:
    body = {"title": "Sofa fraud ring", "summary": "Fake sellers", "report_ids": [w.fr_report]}
    body.update(extra)
    resp = client.post("/api/v1/cases", json=body, headers=w.fr)
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def test_open_case_from_a_report(client: TestClient, world: World) -> None:
    case = open_case(client, world)
    assert case["status"] == "open"
    assert case["owner_org_id"] == world.fr_org
    assert case["report_ids"] == [world.fr_report]
    assert case["tlp"] == "AMBER"
    got = client.get(f"/api/v1/cases/{case['id']}", headers=world.fr)
    assert got.status_code == 200
    assert got.json()["title"] == "Sofa fraud ring"


def test_a_report_the_user_cannot_see_cannot_be_linked(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    resp = client.post(
        "/api/v1/cases",
        json={"title": "x", "report_ids": [world.fr_report, world.de_report]},
        headers=world.fr,
    )
    assert errors_of(resp, 422) == {"report_ids.1"}
    listed = client.get("/api/v1/cases", headers=world.fr).json()
    assert listed["total"] == 0  # nothing half-written


def test_participant_sees_the_case_and_others_do_not(client: TestClient, world: World) -> None:
    case = open_case(client, world)
    cid = case["id"]
    invited = client.post(
        f"/api/v1/cases/{cid}/participants",
        json={"org_id": world.de_org, "reason": "suspect's IBAN is German"},
        headers=world.fr,
    )
    assert invited.status_code == 201, invited.text

    de_view = client.get(f"/api/v1/cases/{cid}", headers=world.de)
    assert de_view.status_code == 200
    # The participant sees the case but not the French report its markings keep from it.
    assert de_view.json()["report_ids"] == []
    assert de_view.json()["hidden_reports"] == 1
    de_list = client.get("/api/v1/cases", headers=world.de).json()
    assert [c["id"] for c in de_list["items"]] == [cid]
    assert de_list["total"] == 1

    assert client.get(f"/api/v1/cases/{cid}", headers=world.nl).status_code == 404
    for path in ("tasks", "notes", "evidence"):
        assert client.get(f"/api/v1/cases/{cid}/{path}", headers=world.nl).status_code == 404
    nl_list = client.get("/api/v1/cases", headers=world.nl).json()
    assert nl_list == {"items": [], "next_cursor": None, "total": 0}
    assert client.get("/api/v1/cases?status=open", headers=world.nl).json()["total"] == 0
    assert (
        client.post(f"/api/v1/cases/{cid}/notes", json={"body": "hi"}, headers=world.nl).status_code
        == 404
    )


def test_only_the_owner_invites_and_twice_is_a_conflict(client: TestClient, world: World) -> None:
    cid = open_case(client, world)["id"]
    body = {"org_id": world.de_org}
    assert (
        client.post(f"/api/v1/cases/{cid}/participants", json=body, headers=world.fr).status_code
        == 201
    )
    again = client.post(f"/api/v1/cases/{cid}/participants", json=body, headers=world.fr)
    assert again.status_code == 409
    by_participant = client.post(
        f"/api/v1/cases/{cid}/participants", json={"org_id": world.nl_org}, headers=world.de
    )
    assert by_participant.status_code == 403


def test_status_needs_a_reason_to_close_and_closed_cases_take_no_tasks(
    client: TestClient, world: World
) -> None:
    cid = open_case(client, world)["id"]
    no_reason = client.post(
        f"/api/v1/cases/{cid}/status", json={"status": "closed"}, headers=world.fr
    )
    assert errors_of(no_reason, 422) == {"reason"}
    closed = client.post(
        f"/api/v1/cases/{cid}/status",
        json={"status": "closed", "reason": "suspects convicted"},
        headers=world.fr,
    )
    assert closed.status_code == 200
    assert closed.json()["status_reason"] == "suspects convicted"
    task = client.post(f"/api/v1/cases/{cid}/tasks", json={"title": "x"}, headers=world.fr)
    assert task.status_code == 409
    reopened = client.post(f"/api/v1/cases/{cid}/status", json={"status": "open"}, headers=world.fr)
    assert reopened.json()["status"] == "open"
    closed_list = client.get("/api/v1/cases?status=closed", headers=world.fr).json()
    assert closed_list["total"] == 0


def test_tasks_and_notes_are_audited(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    cid = open_case(client, world)["id"]
    client.post(
        f"/api/v1/cases/{cid}/participants", json={"org_id": world.de_org}, headers=world.fr
    )
    made = client.post(
        f"/api/v1/cases/{cid}/tasks",
        json={"title": "Ask bank for KYC", "assignee_id": world.de_user, "due_on": "2026-12-01"},
        headers=world.fr,
    )
    assert made.status_code == 201, made.text
    tid = made.json()["id"]
    done = client.patch(f"/api/v1/cases/{cid}/tasks/{tid}", json={"done": True}, headers=world.de)
    assert done.json()["done"] is True and done.json()["done_at"]
    bad = client.post(
        f"/api/v1/cases/{cid}/tasks",
        json={"title": "x", "assignee_id": world.fr_org},
        headers=world.fr,
    )
    assert errors_of(bad, 422) == {"assignee_id"}
    note = client.post(
        f"/api/v1/cases/{cid}/notes", json={"body": "Bank answered"}, headers=world.de
    )
    assert note.status_code == 201
    assert [
        n["body"] for n in client.get(f"/api/v1/cases/{cid}/notes", headers=world.fr).json()
    ] == ["Bank answered"]
    assert client.delete(f"/api/v1/cases/{cid}/tasks/{tid}", headers=world.fr).status_code == 204
    assert client.get(f"/api/v1/cases/{cid}/tasks", headers=world.fr).json() == []

    with transaction(factory) as s:
        actions = list(
            s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_type == "case", AuditEntry.object_id == cid)
                .order_by(AuditEntry.seq)
            )
        )
    assert actions == [
        "case.create",
        "case.participant.invite",
        "case.task.add",
        "case.task.update",
        "case.note.add",
        "case.task.delete",
    ]


def test_list_pages_with_a_cursor_and_searches(client: TestClient, world: World) -> None:
    for i in range(3):
        open_case(client, world, title=f"Case {i}", report_ids=[])
    first = client.get("/api/v1/cases?limit=2", headers=world.fr).json()
    assert len(first["items"]) == 2 and first["total"] == 3
    second = client.get(
        f"/api/v1/cases?limit=2&cursor={first['next_cursor']}", headers=world.fr
    ).json()
    assert len(second["items"]) == 1 and second["next_cursor"] is None
    titles = {c["title"] for c in first["items"] + second["items"]}
    assert titles == {"Case 0", "Case 1", "Case 2"}
    found = client.get("/api/v1/cases?q=case 1", headers=world.fr).json()
    assert [c["title"] for c in found["items"]] == ["Case 1"]
    bad = client.get("/api/v1/cases?cursor=nonsense", headers=world.fr)
    assert errors_of(bad, 422) == {"cursor"}


def test_without_cases_permission_the_api_refuses(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        analyst = make_user(s, make_org(s), ["analyst"])
        token = make_token(s, analyst, ["reports:read"])[1]
    assert client.get("/api/v1/cases", headers=bearer(token)).status_code == 403
