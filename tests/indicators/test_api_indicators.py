"""The indicator API: defanged search, visibility of related reports, the bank lookup with
its purpose, audit entry and rate limit."""

from __future__ import annotations

from typing import Any

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import transaction
from contactpoint.core.markings import TLP
from factories import (
    FRAUD_TEXT,
    actor_of,
    bearer,
    make_org,
    make_report,
    make_token,
    make_user,
)


@pytest.fixture
def world(factory: sessionmaker[Session]) -> dict[str, Any]:
    """Police FR (owns an AMBER and a GREEN report), police DE (sees only GREEN), a bank."""
    with transaction(factory) as s:
        fr = make_user(s, make_org(s, "Police FR", "law-enforcement", "FR"), ["analyst"])
        de = make_user(s, make_org(s, "Police DE", "law-enforcement", "DE"), ["analyst"])
        bank = make_user(s, make_org(s, "Bank NL", "bank", "NL"), ["bank-operator"])
        amber = make_report(s, actor_of(fr), description=FRAUD_TEXT, tlp="AMBER")
        green = make_report(s, actor_of(fr), description="Again " + FRAUD_TEXT, tlp="GREEN")
        return {
            "fr": make_token(s, fr, ["indicators:search"])[1],
            "de": make_token(s, de, ["indicators:search"])[1],
            "bank": make_token(s, bank, ["indicators:lookup"])[1],
            "bank_user": bank.id,
            "amber": str(amber.id),
            "green": str(green.id),
            "amber_ref": amber.reference,
        }


def test_defanged_search_finds_the_indicator(client: TestClient, world: dict[str, Any]) -> None:
    h = bearer(world["fr"])
    one = client.get("/api/v1/indicators/domain/paypa1-secure[.]net", headers=h)
    assert one.status_code == 200, one.text
    body = one.json()
    assert body["value"] == "paypa1-secure.net"
    assert {r["id"] for r in body["reports"]} == {world["amber"], world["green"]}
    url = client.get("/api/v1/indicators/url/hxxps://paypa1-secure[.]net", headers=h)
    assert url.status_code == 200 and url.json()["type"] == "url"
    found = client.get("/api/v1/indicators", params={"q": "paypa1-secure(dot)net"}, headers=h)
    assert [i["type"] for i in found.json()["items"]] == ["domain"]
    iban = client.get("/api/v1/indicators", params={"q": "de89 3704 0044 0532 0130 00"}, headers=h)
    items = iban.json()["items"]
    assert items[0]["type"] == "iban" and items[0]["value"] == "DE89370400440532013000"


def test_invisible_reports_never_appear(client: TestClient, world: dict[str, Any]) -> None:
    h = bearer(world["de"])
    body = client.get("/api/v1/indicators/iban/DE89370400440532013000", headers=h).json()
    assert [r["id"] for r in body["reports"]] == [world["green"]]
    assert body["related_reports"] == 1
    found = client.get("/api/v1/indicators", params={"q": "paypa1-secure.net"}, headers=h).json()
    assert [i["related_reports"] for i in found["items"]] == [1]
    assert world["amber_ref"] not in str(found) + str(body)


def test_unknown_value_is_404_and_unknown_type_names_the_field(
    client: TestClient, world: dict[str, Any]
) -> None:
    h = bearer(world["fr"])
    assert (
        client.get("/api/v1/indicators/domain/nothing-here.example", headers=h).status_code == 404
    )
    bad = client.get("/api/v1/indicators/colour/blue", headers=h)
    assert bad.status_code == 422
    assert bad.json()["errors"][0]["field"] == "type"


def test_search_needs_the_permission(client: TestClient, world: dict[str, Any]) -> None:
    resp = client.get("/api/v1/indicators", params={"q": "x.com"}, headers=bearer(world["bank"]))
    assert resp.status_code == 403


def lookup(client: TestClient, token: str, **body: str):  # type: ignore[no-untyped-def]
    data = {"type": "iban", "value": "DE89 3704 0044 0532 0130 00"}
    data |= {"purpose": "fraud check on outgoing transfer"} | body
    return client.post("/api/v1/indicators/lookup", json=data, headers=bearer(token))


def test_lookup_gives_count_and_visible_details_and_is_audited(
    client: TestClient, factory: sessionmaker[Session], world: dict[str, Any]
) -> None:
    resp = lookup(client, world["bank"])
    assert resp.status_code == 200, resp.text
    body = resp.json()
    # Two reports; the bank sees only the GREEN one, so details cover that one.
    assert body["reports"] == 2 and body["restricted"] is True
    assert body["visible_reports"] == 1 and body["countries"] == ["FR"]
    assert body["first_seen"] and body["last_seen"] and body["categories"]
    with transaction(factory) as s:
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "indicator.lookup")).one()
        assert entry.reason == "fraud check on outgoing transfer"
        assert entry.actor_user_id == world["bank_user"]
        assert "DE89" not in str(entry.details)


def test_lookup_only_count_where_markings_hide_everything(
    client: TestClient, factory: sessionmaker[Session], world: dict[str, Any]
) -> None:
    with transaction(factory) as s:
        fr = make_user(s, make_org(s, "Police BE", "law-enforcement", "BE"), ["analyst"])
        make_report(
            s,
            actor_of(fr),
            tlp=TLP.RED.value,
            description="pay bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq now",
        )
    body = lookup(
        client, world["bank"], type="btc", value="bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"
    ).json()
    assert body == {
        "type": "btc",
        "reports": 1,
        "restricted": True,
        "visible_reports": None,
        "countries": None,
        "categories": None,
        "first_seen": None,
        "last_seen": None,
    }


def test_lookup_by_bin(client: TestClient, world: dict[str, Any]) -> None:
    body = lookup(client, world["bank"], type="bin", value="411111").json()
    assert body["reports"] == 2


def test_lookup_needs_a_purpose(client: TestClient, world: dict[str, Any]) -> None:
    resp = lookup(client, world["bank"], purpose="x")
    assert resp.status_code == 422
    assert resp.headers["content-type"].startswith("application/problem+json")
    assert resp.json()["errors"][0]["field"] == "purpose"


def test_lookup_is_rate_limited_per_organisation(client: TestClient, world: dict[str, Any]) -> None:
    client.app.state.settings.lookup_rate_per_minute = 3  # type: ignore[attr-defined]
    codes = [lookup(client, world["bank"]).status_code for _ in range(4)]
    assert codes == [200, 200, 200, 429]
    last = lookup(client, world["bank"])
    assert last.status_code == 429
    assert last.headers["content-type"].startswith("application/problem+json")
    assert "minute" in last.json()["detail"]


def test_analysts_cannot_lookup(client: TestClient, world: dict[str, Any]) -> None:
    assert lookup(client, world["fr"]).status_code == 403


def test_lookup_phone_in_national_format_with_country(
    client: TestClient, factory: sessionmaker[Session], world: dict[str, Any]
) -> None:
    with transaction(factory) as s:
        fr = make_user(s, make_org(s, "Police FR2", "law-enforcement", "FR"), ["analyst"])
        make_report(s, actor_of(fr), description="He called from 06 12 34 56 78.", tlp="GREEN")
    national = lookup(client, world["bank"], type="phone", value="06 12 34 56 78", country="FR")
    assert national.json()["reports"] == 1
    e164 = lookup(client, world["bank"], type="phone", value="+33 6 12 34 56 78")
    assert e164.json()["reports"] == 1


def test_cards_are_searched_by_masked_form_never_by_number_in_a_url(
    client: TestClient, world: dict[str, Any]
) -> None:
    h = bearer(world["fr"])
    found = client.get("/api/v1/indicators", params={"q": "411111…1111"}, headers=h).json()
    assert [(i["type"], i["value"], i["related_reports"]) for i in found["items"]] == [
        ("card", "411111…1111", 2)
    ]
    stars = client.get("/api/v1/indicators", params={"q": "411111******1111"}, headers=h)
    assert len(stars.json()["items"]) == 1
    full = client.get("/api/v1/indicators/card/4111111111111111", headers=h)
    assert full.status_code == 422 and full.json()["errors"][0]["field"] == "type"


def test_a_card_number_in_the_purpose_is_redacted_in_the_audit_log(
    client: TestClient, factory: sessionmaker[Session], world: dict[str, Any]
) -> None:
    purpose = "chargeback check for card 4111 1111 1111 1111"
    assert lookup(client, world["bank"], type="bin", value="411111", purpose=purpose).is_success
    with transaction(factory) as s:
        reason = s.scalars(
            select(AuditEntry.reason).where(AuditEntry.action == "indicator.lookup")
        ).one()
    assert reason == "chargeback check for card [card 411111…1111]"


def test_reading_personal_data_indicators_is_audited(
    client: TestClient, factory: sessionmaker[Session], world: dict[str, Any]
) -> None:
    h = bearer(world["fr"])
    assert client.get("/api/v1/indicators/domain/paypa1-secure.net", headers=h).is_success
    assert client.get("/api/v1/indicators/iban/DE89370400440532013000", headers=h).is_success
    with transaction(factory) as s:
        actions = list(
            s.scalars(select(AuditEntry.action).where(AuditEntry.action.like("indicator.%")))
        )
    assert actions == ["indicator.read"]  # the IBAN is personal data; the domain is not
