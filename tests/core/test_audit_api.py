"""`/api/v1/audit`: verify and paginated entries, for holders of audit:read."""

from __future__ import annotations

from fastapi import FastAPI
from fastapi.testclient import TestClient
from sqlalchemy import text

from contactpoint.core import audit
from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.db import transaction
from factories import make_org, make_token, make_user


def _bearer(
    app: FastAPI, roles: list[str], permissions: list[str], org_name: str | None = None
) -> dict[str, str]:
    with transaction(app.state.session_factory) as s:
        org = make_org(s, org_name)
        _, token = make_token(s, make_user(s, org, roles=roles), permissions)
    return {"authorization": f"Bearer {token}"}


def test_verify_reports_intact_then_names_the_altered_entry(
    client: TestClient, app: FastAPI
) -> None:
    auth = _bearer(app, ["auditor"], ["audit:read"])
    response = client.get("/api/v1/audit/verify", headers=auth)
    assert response.status_code == 200
    body = response.json()
    assert body["ok"] is True and body["checked"] >= 1 and body["broken_seq"] is None

    with transaction(app.state.session_factory) as s:
        s.execute(text("UPDATE audit_log SET actor_label = 'someone else' WHERE seq = 1"))
    body = client.get("/api/v1/audit/verify", headers=auth).json()
    assert body == {
        "ok": False,
        "checked": 0,
        "broken_seq": 1,
        "problem": "content does not match its hash",
    }


def test_entries_page_newest_first_with_a_cursor(client: TestClient, app: FastAPI) -> None:
    auth = _bearer(app, ["auditor"], ["audit:read"])
    with transaction(app.state.session_factory) as s:
        for i in range(7):
            audit.record(s, SYSTEM, "test.write", object_type="thing", object_id=i)
    seen: list[int] = []
    cursor = None
    for _ in range(10):
        params: dict[str, str | int] = {"limit": 3, "action": "test.write"}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/audit/entries", headers=auth, params=params).json()
        seen += [int(item["object_id"]) for item in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert seen == [6, 5, 4, 3, 2, 1, 0]


def test_reading_the_log_is_itself_logged(client: TestClient, app: FastAPI) -> None:
    auth = _bearer(app, ["auditor"], ["audit:read"])
    client.get("/api/v1/audit/entries", headers=auth)
    items = client.get(
        "/api/v1/audit/entries", headers=auth, params={"action": "audit.read"}
    ).json()["items"]
    assert len(items) == 1 and items[0]["actor_label"].startswith("token:")


def test_organisation_admin_sees_only_own_organisation_entries(
    client: TestClient, app: FastAPI
) -> None:
    with transaction(app.state.session_factory) as s:
        bank, police = make_org(s, "Bank A"), make_org(s, "Police B")
        _, token = make_token(s, make_user(s, bank, roles=["admin"]), ["audit:read"])
        for org, what in ((bank, "bank-thing"), (police, "police-thing")):
            audit.record(
                s,
                Actor(user_id=None, org_id=org.id, label=org.name),
                "test.write",
                object_type=what,
            )
    admin = {"authorization": f"Bearer {token}"}
    params = {"action": "test.write"}
    mine = client.get("/api/v1/audit/entries", headers=admin, params=params).json()["items"]
    assert [i["object_type"] for i in mine] == ["bank-thing"]
    oversight = _bearer(app, ["auditor"], ["audit:read"])
    every = client.get("/api/v1/audit/entries", headers=oversight, params=params).json()
    assert [i["object_type"] for i in every["items"]] == ["police-thing", "bank-thing"]


def test_without_audit_read_is_forbidden(client: TestClient, app: FastAPI) -> None:
    auth = _bearer(app, ["analyst"], ["reports:read"])
    response = client.get("/api/v1/audit/entries", headers=auth)
    assert response.status_code == 403
    assert "audit:read" in response.json()["detail"]


def test_bad_cursor_is_a_422_naming_the_field(client: TestClient, app: FastAPI) -> None:
    auth = _bearer(app, ["auditor"], ["audit:read"])
    response = client.get("/api/v1/audit/entries", headers=auth, params={"cursor": "zzz"})
    assert response.status_code == 422
    assert response.json()["errors"] == [{"field": "cursor", "message": "invalid cursor"}]
