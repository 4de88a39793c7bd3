"""The cooperation API through the real app, on both databases."""

from __future__ import annotations

from contactpoint.core.db import transaction
from factories import ART29_FIELDS, bearer, coop_pair, make_org, make_token, make_user

PERMS = ["cooperation:manage"]


def setup(factory):  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        fr, de = coop_pair(s)
        nl = make_user(s, make_org(s, country="NL"), ["contact-point-officer"])
        tokens = [make_token(s, u, PERMS)[1] for u in (fr, de, nl)]
        de_org = de.organisation_id
    return tokens, de_org


def test_full_lifecycle_over_the_api(client, factory) -> None:  # type: ignore[no-untyped-def]
    (fr, de, nl), de_org = setup(factory)
    body = {
        "type_code": "preservation-mla",
        "subject": "Fake shop",
        "receiving_country": "DE",
        "fields": ART29_FIELDS,
        "send": True,
    }
    r = client.post("/api/v1/cooperation/requests", json=body, headers=bearer(fr))
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["receiving_org_id"] == str(de_org) and req["status"] == "sent"
    assert req["clocks"][0]["citation"] == "ETS 185 Art. 29(7)"
    url = f"/api/v1/cooperation/requests/{req['id']}"
    inbox = client.get("/api/v1/cooperation/requests?box=inbox", headers=bearer(de)).json()["items"]
    assert [i["reference"] for i in inbox] == [req["reference"]]
    assert client.get(url, headers=bearer(nl)).status_code == 404
    assert client.post(url + "/acknowledge", json={}, headers=bearer(de)).status_code == 200
    r = client.post(url + "/clarification", json={"text": "Which account?"}, headers=bearer(de))
    assert r.json()["status"] == "clarification"
    r = client.post(url + "/clarification-answer", json={"text": "shop-1"}, headers=bearer(fr))
    assert r.json()["status"] == "acknowledged"
    r = client.post(url + "/answer", json={"text": "Preserved."}, headers=bearer(de))
    assert r.json()["status"] == "answered" and r.json()["seconds_to_answer"] is not None
    r = client.post(url + "/acknowledge", json={}, headers=bearer(de))
    assert r.status_code == 409 and r.headers["content-type"] == "application/problem+json"
    seen_fr = client.get(url, headers=bearer(fr)).json()
    seen_de = client.get(url, headers=bearer(de)).json()
    assert seen_fr["timeline"] == seen_de["timeline"] and seen_fr["clocks"] == seen_de["clocks"]
    pdf = client.get(url + "/certificate.pdf", headers=bearer(fr))
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_missing_field_is_422_naming_field_and_article(client, factory) -> None:  # type: ignore[no-untyped-def]
    (fr, _de, _nl), _ = setup(factory)
    fields = {k: v for k, v in ART29_FIELDS.items() if k != "custodian_or_location"}
    body = {
        "type_code": "preservation-mla",
        "subject": "Fake shop",
        "receiving_country": "DE",
        "fields": fields,
        "send": True,
    }
    r = client.post("/api/v1/cooperation/requests", json=body, headers=bearer(fr))
    assert r.status_code == 422
    assert r.json()["errors"] == [
        {
            "field": "fields.custodian_or_location",
            "message": "Custodian of the data or location of the computer system: "
            "required by ETS 185 Art. 29(2)(d)",
        }
    ]
    # Nothing half-written: no draft was left behind.
    assert (
        client.get("/api/v1/cooperation/requests?box=outbox", headers=bearer(fr)).json()["items"]
        == []
    )


def test_proposal_and_types_and_directory(client, factory) -> None:  # type: ignore[no-untyped-def]
    (fr, _de, _nl), _ = setup(factory)
    p = client.get("/api/v1/cooperation/proposal?receiving_country=DE", headers=bearer(fr)).json()
    assert p["suggested"][:3] == ["epoc-pr", "epoc", "preservation-mla"] and not p["warnings"]
    p = client.get("/api/v1/cooperation/proposal?receiving_country=RU", headers=bearer(fr)).json()
    assert p["suggested"] == [] and "no treaty basis" in p["warnings"][0]
    types = client.get("/api/v1/cooperation/types", headers=bearer(fr)).json()
    sub = next(t for t in types if t["code"] == "subscriber-direct")
    assert sub["not_in_force"] and sub["citation"] == "CETS 224 Art. 7"
    ie = client.get("/api/v1/cooperation/directory/IE", headers=bearer(fr)).json()
    assert ie["ets185"] == "signed" and ie["eu_member"]
    csv = "country,name,ets185,ets185_date\nPT,Portugal,party,2010-03-24\nXX,Nowhere,maybe,\n"
    r = client.post(
        "/api/v1/cooperation/directory/import",
        content=csv,
        headers={**bearer(fr), "content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["updated"] == 1
    assert r.json()["errors"] == [
        {
            "line": 3,
            "field": "ets185",
            "message": "expected one of party, signed, none, got 'maybe'",
        }
    ]


def test_a_provider_answers_an_epoc_addressed_to_it(client, factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        fr, _de = coop_pair(s)
        isp = make_user(s, make_org(s, kind="isp", country="DE"), ["provider-operator"])
        fr_token = make_token(s, fr, PERMS)[1]
        isp_token = make_token(s, isp, ["cooperation:respond"])[1]
        isp_org = str(isp.organisation_id)
    fields = {
        "issuing_authority": "Parquet de Paris",
        "addressee": "Nordnetz legal rep",
        "data_categories": "traffic data",
        "users_and_period": "account x, March 2026",
        "offence_and_provisions": "fraud",
        "grounds": "only source of the logs",
    }
    body = {
        "type_code": "epoc",
        "subject": "Logs",
        "receiving_org_id": isp_org,
        "fields": fields,
        "data_categories": ["traffic"],
        "send": True,
    }
    r = client.post("/api/v1/cooperation/requests", json=body, headers=bearer(fr_token))
    assert r.status_code == 201, r.text
    req = r.json()
    assert req["notify_enforcing_state"] and req["clocks"][0]["name"] == "produce"
    url = f"/api/v1/cooperation/requests/{req['id']}"
    # The provider may answer what it receives, but not send requests itself.
    assert (
        client.post(
            "/api/v1/cooperation/requests", json=body, headers=bearer(isp_token)
        ).status_code
        == 403
    )
    r = client.post(
        url + "/clarification", json={"text": "Which time zone?"}, headers=bearer(isp_token)
    )
    assert r.json()["clocks"][0]["state"] == "paused"
    r = client.post(url + "/clarification-answer", json={"text": "UTC"}, headers=bearer(fr_token))
    assert r.json()["clocks"][0]["state"] == "running"
    r = client.post(url + "/answer", json={"text": "Logs attached."}, headers=bearer(isp_token))
    assert r.json()["clocks"][0]["state"] == "met"


def test_lists_are_cursor_paged(client, factory) -> None:  # type: ignore[no-untyped-def]
    (fr, _de, _nl), _ = setup(factory)
    for i in range(3):
        body = {
            "type_code": "preservation-mla",
            "subject": f"Shop {i}",
            "receiving_country": "DE",
            "fields": ART29_FIELDS,
        }
        assert (
            client.post("/api/v1/cooperation/requests", json=body, headers=bearer(fr)).status_code
            == 201
        )
    url = "/api/v1/cooperation/requests?box=outbox&limit=2"
    first = client.get(url, headers=bearer(fr)).json()
    second = client.get(url + "&cursor=" + first["next_cursor"], headers=bearer(fr)).json()
    subjects = [r["subject"] for r in first["items"] + second["items"]]
    assert subjects == ["Shop 2", "Shop 1", "Shop 0"] and second["next_cursor"] is None
    bad = client.get(url + "&cursor=nonsense", headers=bearer(fr))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "cursor"
