"""/api/v1/reports: submission, validation errors per field, idempotency, visibility,
triage with audit, attachments, contact reads."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import transaction
from contactpoint.reports.models import Report
from factories import bearer, make_org, make_token, make_user, report_data

PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


@dataclass
class World:
    bank: dict[str, str]  # a bank in FR that submits
    fr: dict[str, str]  # the French contact point (receives FR victims' reports)
    de: dict[str, str]  # the German contact point (another organisation)
    fr_user_id: str


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    with transaction(factory) as s:
        bank = make_org(s, "Banque Exemple", "bank", "FR")
        fr = make_org(s, "OFAC", "law-enforcement", "FR")
        de = make_org(s, "BKA", "law-enforcement", "DE")
        bank_user = make_user(s, bank, ["bank-operator"])
        fr_user = make_user(s, fr, ["analyst"])
        de_user = make_user(s, de, ["analyst"])
        return World(
            bank=bearer(make_token(s, bank_user, ["reports:submit"])[1]),
            fr=bearer(
                make_token(s, fr_user, ["reports:read", "reports:submit", "reports:triage"])[1]
            ),
            de=bearer(make_token(s, de_user, ["reports:read", "reports:triage"])[1]),
            fr_user_id=str(fr_user.id),
        )


def problem(resp, status: int) -> list[dict[str, str]]:  # type: ignore[no-untyped-def]
    assert resp.status_code == status, resp.text
    assert resp.headers["content-type"].startswith("application/problem+json")
    return resp.json().get("errors", [])


def fields(resp, status: int = 422) -> set[str]:  # type: ignore[no-untyped-def]
    return {e["field"] for e in problem(resp, status)}


def count_rows(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as s:
        return int(s.scalar(select(func.count()).select_from(Report)) or 0)


def test_submit_then_same_external_id_returns_the_stored_report(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    body = report_data(external_id="bank-2026-0001")
    first = client.post("/api/v1/reports", json=body, headers=world.bank)
    assert first.status_code == 201, first.text
    out = first.json()
    assert out["reference"].startswith("FR-") and len(out["reference"]) == len("FR-2026-000001")
    assert out["category"] == "traditional-crime" and out["offence"] == "ets185-art8"
    assert out["language"] == "en"
    assert out["loss_amount"] == "450.00" and out["status"] == "new"
    assert "reporter_email" not in out
    again = client.post("/api/v1/reports", json=body, headers=world.bank)
    assert again.status_code == 200
    assert again.json()["id"] == out["id"]
    assert count_rows(factory) == 1


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"colour": "blue"}, "colour"),
        ({"loss_amount": "lots"}, "loss_amount"),
        ({"loss_currency": None}, "loss_currency"),
        ({"loss_currency": "EUX"}, "loss_currency"),
        ({"occurred_at": "2999-01-01T00:00:00Z"}, "occurred_at"),
        ({"description": "x" * 20_001}, "description"),
        ({"victim_country": "XY"}, "victim_country"),
        ({"incident_type": "ddos"}, "incident_type"),
        ({"offence": "ets185-art99"}, "offence"),
        ({"suspect_identifiers": [{"type": "iban"}]}, "suspect_identifiers.0.value"),
        ({"anonymous": True, "reporter_email": "a@b.example"}, "anonymous"),
        ({"crime_kind": None}, "category"),
        ({"victim_type": "alien"}, "victim_type"),
    ],
)
def test_bad_fields_are_named(
    client: TestClient,
    world: World,
    factory: sessionmaker[Session],
    change: dict[str, object],
    field: str,
) -> None:
    body = report_data()
    body.update(change)
    body = {k: v for k, v in body.items() if v is not None}
    assert field in fields(client.post("/api/v1/reports", json=body, headers=world.bank))
    assert count_rows(factory) == 0


def test_malformed_json_is_a_problem(client: TestClient, world: World) -> None:
    resp = client.post(
        "/api/v1/reports",
        content=b'{"description": ',
        headers={**world.bank, "content-type": "application/json"},
    )
    problem(resp, 422)


def test_submit_needs_the_permission(client: TestClient, world: World) -> None:
    problem(client.post("/api/v1/reports", json=report_data(), headers=world.de), 403)
    problem(client.post("/api/v1/reports", json=report_data()), 401)


def _submit(client: TestClient, headers: dict[str, str], **kw: object) -> dict[str, object]:
    resp = client.post("/api/v1/reports", json=report_data(**kw), headers=headers)
    assert resp.status_code == 201, resp.text
    return resp.json()  # type: ignore[no-any-return]


def test_visibility_amber_green_clear(client: TestClient, world: World) -> None:
    amber = _submit(client, world.fr, description="amber unicorn fraud case " * 2)
    green = _submit(client, world.fr, tlp="GREEN", description="green unicorn fraud case " * 2)
    clear = _submit(client, world.fr, tlp="CLEAR", description="clear unicorn fraud case " * 2)
    # The other organisation: the AMBER one is not found, not listed, not counted, not searched.
    assert client.get(f"/api/v1/reports/{amber['id']}", headers=world.de).status_code == 404
    assert (
        client.get(
            f"/api/v1/reports/by-reference/{amber['reference']}", headers=world.de
        ).status_code
        == 404
    )
    seen = client.get("/api/v1/reports", headers=world.de).json()
    assert {r["id"] for r in seen["items"]} == {green["id"], clear["id"]}
    assert seen["total"] == 2
    hits = client.get("/api/v1/reports", params={"q": "unicorn"}, headers=world.de).json()
    assert {r["id"] for r in hits["items"]} == {green["id"], clear["id"]}
    # The owner sees all three; the search finds by word.
    mine = client.get("/api/v1/reports", params={"q": "amber unicorn"}, headers=world.fr).json()
    assert [r["id"] for r in mine["items"]] == [amber["id"]]
    assert client.get(f"/api/v1/reports/{amber['id']}", headers=world.fr).status_code == 200


def test_receiving_contact_point_sees_a_banks_report(client: TestClient, world: World) -> None:
    rep = _submit(client, world.bank)
    assert client.get(f"/api/v1/reports/{rep['id']}", headers=world.fr).status_code == 200
    assert client.get(f"/api/v1/reports/{rep['id']}", headers=world.de).status_code == 404


def test_filters_and_cursor(client: TestClient, world: World) -> None:
    ids = [_submit(client, world.fr, external_id=f"x{i}")["id"] for i in range(5)]
    _submit(
        client,
        world.fr,
        crime_kind="denial-of-service",
        victim_country="DE",
        loss_amount=None,
        loss_currency=None,
        payment_method=None,
    )
    got: list[str] = []
    cursor = None
    while True:
        params: dict[str, object] = {"category": "traditional-crime", "limit": 2}
        if cursor:
            params["cursor"] = cursor
        page = client.get("/api/v1/reports", params=params, headers=world.fr).json()
        got += [r["id"] for r in page["items"]]
        cursor = page["next_cursor"]
        if not cursor:
            break
    assert got == list(reversed(ids))  # newest first, each once
    de = client.get("/api/v1/reports", params={"victim_country": "de"}, headers=world.fr).json()
    assert de["total"] == 1 and de["items"][0]["category"] == "network-crime"
    assert "status" in fields(
        client.get("/api/v1/reports", params={"status": "bogus"}, headers=world.fr)
    )
    assert "colour" in fields(
        client.get("/api/v1/reports", params={"colour": "red"}, headers=world.fr)
    )
    assert "limit" in fields(client.get("/api/v1/reports", params={"limit": 501}, headers=world.fr))
    assert "cursor" in fields(
        client.get("/api/v1/reports", params={"cursor": "!!"}, headers=world.fr)
    )


def test_triage_workflow_is_audited(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    rep = _submit(client, world.bank)
    url = f"/api/v1/reports/{rep['id']}/triage"
    assert "status" in fields(client.post(url, json={"status": "in_case"}, headers=world.fr))
    resp = client.post(
        url,
        headers=world.fr,
        json={
            "status": "triaged",
            "incident_type": "phishing",
            "offence": "d2019-713-art6",
            "assigned_to_id": world.fr_user_id,
            "note": "IBAN seen in two other reports",
        },
    )
    assert resp.status_code == 200, resp.text
    assert resp.json()["status"] == "triaged" and resp.json()["incident_type"] == "phishing"
    # Only the owner (the bank) may relabel; the contact point is a recipient.
    problem(client.post(url, json={"tlp": "CLEAR"}, headers=world.fr), 403)
    assert "close_reason" in fields(client.post(url, json={"status": "closed"}, headers=world.fr))
    closed = client.post(
        url, json={"status": "closed", "close_reason": "duplicate of FR-1"}, headers=world.fr
    )
    assert closed.json()["status"] == "closed"
    assert closed.json()["close_reason"] == "duplicate of FR-1"
    notes = client.get(f"/api/v1/reports/{rep['id']}/notes", headers=world.fr).json()
    assert [n["body"] for n in notes] == ["IBAN seen in two other reports"]
    problem(client.post(url, json={"status": "triaged"}, headers=world.de), 404)
    with transaction(factory) as s:
        actions = list(
            s.scalars(
                select(AuditEntry.action)
                .where(AuditEntry.object_id == rep["id"])
                .order_by(AuditEntry.seq)
            )
        )
        details = s.scalars(
            select(AuditEntry.details)
            .where(AuditEntry.action == "report.triage")
            .order_by(AuditEntry.seq)
        ).first()
    assert actions == ["report.submit", "report.triage", "report.note.add", "report.triage"]
    assert details is not None and details["status"] == ["new", "triaged"]


def test_contact_details_need_a_reason_and_are_audited(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    rep = _submit(
        client,
        world.bank,
        reporter_name="Marie Curie",
        reporter_email="marie@example.fr",
        contact_consent=True,
    )
    url = f"/api/v1/reports/{rep['id']}/contact"
    assert "reason" in fields(client.get(url, headers=world.fr))
    got = client.get(url, params={"reason": "call back the victim"}, headers=world.fr)
    assert got.status_code == 200 and got.json()["email"] == "marie@example.fr"
    with transaction(factory) as s:
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "report.contact.read")
        ).one()
        raw = s.execute(text("SELECT reporter_email FROM reports")).scalar_one()
    assert entry.reason == "call back the victim"
    assert "marie" not in raw  # encrypted at rest


def test_attachments(client: TestClient, world: World) -> None:
    rep = _submit(client, world.bank)
    url = f"/api/v1/reports/{rep['id']}/attachments"
    ok = client.post(url, files={"file": ("shot.png", PNG, "image/png")}, headers=world.bank)
    assert ok.status_code == 201, ok.text
    assert ok.json()["content_type"] == "image/png" and len(ok.json()["sha256"]) == 64
    exe = client.post(
        url,
        files={"file": ("invoice.pdf", b"MZ\x90\x00" * 10, "application/pdf")},
        headers=world.bank,
    )
    assert "file" in fields(exe, 422)
    big = client.post(
        url, files={"file": ("big.txt", b"a" * (10 * 2**20 + 1), "text/plain")}, headers=world.bank
    )
    assert "file" in fields(big, 413)
    back = client.get(f"{url}/{ok.json()['id']}", headers=world.fr)
    assert back.status_code == 200 and back.content == PNG
    assert client.get(f"{url}/{ok.json()['id']}", headers=world.de).status_code == 404
    csam = _submit(
        client,
        world.fr,
        crime_kind="csam",
        loss_amount=None,
        loss_currency=None,
        payment_method=None,
        suspect_identifiers=[{"type": "url", "value": "hxxp://bad[.]example/x"}],
    )
    refused = client.post(
        f"/api/v1/reports/{csam['id']}/attachments",
        files={"file": ("a.png", PNG, "image/png")},
        headers=world.fr,
    )
    assert "file" in fields(refused, 422)


def test_card_numbers_are_never_stored_in_full(client: TestClient, world: World) -> None:
    rep = _submit(
        client,
        world.bank,
        description="They charged my card 4111 1111 1111 1111 three times yesterday",
        suspect_identifiers=[{"type": "card", "value": "4111111111111111"}],
    )
    assert "4111 1111 1111 1111" not in rep["description"]
    assert "[card 411111…1111]" in rep["description"]
    card = rep["suspect_identifiers"][0]
    assert card["value"] == "411111…1111" and card["bin"] == "411111"
    assert len(card["token"]) == 64


def test_taxonomy_is_public(client: TestClient) -> None:
    data = client.get("/api/v1/taxonomy").json()
    assert [c["id"] for c in data["categories"]] == [
        "traditional-crime",
        "illegal-content",
        "network-crime",
    ]
    phishing = next(
        it for c in data["categories"] for it in c["incident_types"] if it["id"] == "phishing"
    )
    assert phishing["rsit"] == 'rsit:fraud="phishing"'
    codes = {o["code"]: o for o in data["offences"]}
    assert codes["ets185-art8"]["citation"] == "Budapest Convention (ETS 185) Art. 8"
    assert codes["d2013-40-art3"]["check"] is True
