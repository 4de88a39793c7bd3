"""The provider directory through the API, the pages and the CLI, on both databases."""

from __future__ import annotations

import re
from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.cli import app as cli_app
from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import transaction
from factories import bearer, csrf_of, login, make_token, make_user, use_cli_settings

SAMPLE = Path(__file__).parent / "data" / "ip2asn-sample.tsv"


def tokens(factory: sessionmaker[Session]) -> dict[str, str]:
    with transaction(factory) as db:
        officer = make_user(db, roles=["contact-point-officer"])
        analyst = make_user(db, roles=["analyst"])
        bank = make_user(db, roles=["bank-operator"])
        return {
            "manage": make_token(db, officer, ["providers:manage"])[1],
            "read": make_token(db, analyst, ["takedown:manage"])[1],
            "none": make_token(db, bank, ["indicators:lookup"])[1],
        }


def test_api_create_edit_resolve_and_permissions(client: TestClient, factory) -> None:  # type: ignore[no-untyped-def]
    t = tokens(factory)
    m, rd = bearer(t["manage"]), bearer(t["read"])
    r = client.post(
        "/api/v1/providers",
        json={"name": "Example Hosting", "country": "fr", "abuse_email": "abuse@host.example"},
        headers=m,
    )
    assert r.status_code == 201, r.text
    pid = r.json()["id"]
    assert r.json()["country"] == "FR" and r.json()["networks"] == []
    # Reading is allowed with takedown:manage, changing is not.
    r = client.post("/api/v1/providers", json={"name": "X", "country": "FR"}, headers=rd)
    assert r.status_code == 403
    assert client.get("/api/v1/providers", headers=bearer(t["none"])).status_code == 403
    r = client.post(
        f"/api/v1/providers/{pid}/networks",
        json={"cidr": "198.51.100.0/24", "asn": "AS64500"},
        headers=m,
    )
    assert r.status_code == 201 and r.json()["asn"] == 64500
    net_id = r.json()["id"]
    r = client.post(
        f"/api/v1/providers/{pid}/domains", json={"domain": "Host.Example.COM"}, headers=m
    )
    assert r.status_code == 201 and r.json()["domain"] == "host.example.com"
    # Duplicates are 409, bad values 422 with the field named.
    r = client.post(
        f"/api/v1/providers/{pid}/networks", json={"cidr": "198.51.100.0/24"}, headers=m
    )
    assert r.status_code == 409
    r = client.post(f"/api/v1/providers/{pid}/networks", json={"cidr": "10.0.0.0/8"}, headers=m)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cidr"
    r = client.patch(f"/api/v1/providers/{pid}", json={"kind": "teleporter"}, headers=m)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "kind"

    r = client.get("/api/v1/providers/resolve", params={"url": "http://198.51.100.9/x"}, headers=rd)
    assert r.status_code == 200, r.text
    body = r.json()
    assert body["found"] and body["provider"]["name"] == "Example Hosting"
    assert (body["matched_by"], body["matched"], body["ip"]) == (
        "ip",
        "198.51.100.0/24 (AS64500)",
        "198.51.100.9",
    )
    r = client.get(
        "/api/v1/providers/resolve", params={"url": "https://www.host.example.com/"}, headers=rd
    )
    assert r.json()["matched_by"] == "domain" and r.json()["matched"] == "host.example.com"
    r = client.get("/api/v1/providers/resolve", params={"url": "http://192.168.0.1/"}, headers=rd)
    assert r.status_code == 422 and "private" in r.json()["detail"]
    assert r.headers["content-type"].startswith("application/problem+json")

    r = client.get("/api/v1/providers", params={"q": "host.example"}, headers=rd)
    assert [p["name"] for p in r.json()["items"]] == ["Example Hosting"]
    r = client.get("/api/v1/providers", params={"asn": 64500}, headers=rd)
    assert len(r.json()["items"]) == 1 and r.json()["next_cursor"] is None
    # Pages by name with a cursor: neither skips nor repeats.
    for name in ("B Host", "C Host", "D Host"):
        client.post("/api/v1/providers", json={"name": name, "country": "FR"}, headers=m)
    names, cursor = [], None
    while True:
        params = {"limit": 2} | ({"cursor": cursor} if cursor else {})
        page = client.get("/api/v1/providers", params=params, headers=rd).json()
        names += [p["name"] for p in page["items"]]
        cursor = page["next_cursor"]
        if cursor is None:
            break
    assert names == ["B Host", "C Host", "D Host", "Example Hosting"]
    r = client.get("/api/v1/providers", params={"cursor": "%%%"}, headers=rd)
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "cursor"
    r = client.get(f"/api/v1/providers/{pid}", headers=rd)
    assert [n["cidr"] for n in r.json()["networks"]] == ["198.51.100.0/24"]

    # Deactivating hides it from resolution; removing a network works and is audited.
    r = client.patch(f"/api/v1/providers/{pid}", json={"active": False}, headers=m)
    assert r.status_code == 200 and r.json()["active"] is False
    r = client.get("/api/v1/providers/resolve", params={"url": "http://198.51.100.9/"}, headers=rd)
    assert r.json() == {
        "found": False,
        "provider": None,
        "matched_by": None,
        "matched": None,
        "ip": None,
    }
    assert client.delete(f"/api/v1/providers/{pid}/networks/{net_id}", headers=m).status_code == 204
    assert client.delete(f"/api/v1/providers/{pid}/networks/{net_id}", headers=m).status_code == 404
    dom_id = client.get(f"/api/v1/providers/{pid}", headers=rd).json()["domains"][0]["id"]
    other = client.get("/api/v1/providers", params={"q": "B Host"}, headers=rd).json()["items"]
    # A domain is removed only through its own provider.
    r = client.delete(f"/api/v1/providers/{other[0]['id']}/domains/{dom_id}", headers=m)
    assert r.status_code == 404
    assert client.delete(f"/api/v1/providers/{pid}/domains/{dom_id}", headers=rd).status_code == 403
    assert client.delete(f"/api/v1/providers/{pid}/domains/{dom_id}", headers=m).status_code == 204
    assert client.get(f"/api/v1/providers/{pid}", headers=rd).json()["domains"] == []
    with transaction(factory) as db:
        actions = set(db.scalars(select(AuditEntry.action)))
    assert {
        "takedown.provider.created",
        "takedown.provider.network_added",
        "takedown.provider.domain_added",
        "takedown.provider.updated",
        "takedown.provider.network_removed",
        "takedown.provider.domain_removed",
    } <= actions


def test_api_csv_import(client: TestClient, factory) -> None:  # type: ignore[no-untyped-def]
    t = tokens(factory)
    body = "provider,country,cidr,asn\nA Host,FR,203.0.113.0/24,64501\nB Host,FR,not-a-net,\n"
    r = client.post(
        "/api/v1/providers/import",
        content=body,
        headers=bearer(t["manage"]) | {"content-type": "text/csv"},
    )
    assert r.status_code == 200, r.text
    assert r.json()["created"]["networks_added"] == 1
    assert r.json()["errors"] == [
        {
            "line": 3,
            "field": "cidr",
            "message": "'not-a-net' is not a network in CIDR form: "
            "'not-a-net' does not appear to be an IPv4 or IPv6 network",
        }
    ]


def test_pages_list_search_resolve_edit_import(client: TestClient, factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as db:
        officer = make_user(db, roles=["contact-point-officer"]).email
        investigator = make_user(db, roles=["investigator"]).email
    login(client, officer)
    page = client.get("/providers")
    assert page.status_code == 200 and 'id="add-provider"' in page.text
    assert 'href="/takedown/compliance"' in page.text
    token = csrf_of(page.text)
    r = client.post(
        "/providers",
        data={"csrf_token": token, "name": "Page Host", "kind": "hosting", "country": "NL"},
        follow_redirects=False,
    )
    assert r.status_code == 303, r.text
    detail_url = r.headers["location"].split("?")[0]
    detail = client.get(detail_url)
    assert "Page Host" in detail.text
    r = client.post(
        f"{detail_url}/networks",
        data={"csrf_token": token, "cidr": "192.0.2.0/25", "asn": "64502"},
        follow_redirects=False,
    )
    assert r.status_code == 303 and "note=added" in r.headers["location"]
    r = client.post(
        f"{detail_url}/networks",
        data={"csrf_token": token, "cidr": "192.0.2.0/33"},
        follow_redirects=False,
    )
    assert "error=" in r.headers["location"]
    assert "is not a network" in client.get(r.headers["location"]).text
    r = client.post(
        detail_url,
        data={
            "csrf_token": token,
            "name": "Page Host",
            "kind": "platform",
            "country": "NL",
            "abuse_email": "abuse@page.example",
            "active": "true",
        },
        follow_redirects=False,
    )
    assert r.status_code == 303
    shown = client.get(detail_url).text
    assert "abuse@page.example" in shown and "Networks (1)" in shown
    found = client.get("/providers", params={"url": "http://192.0.2.5/a"})
    assert re.search(r'id="resolution">\s*<a href="/providers/[^"]+">Page Host</a>', found.text)
    assert "192.0.2.0/25 (AS64502)" in found.text
    bad = client.get("/providers", params={"url": "http://10.0.0.1/"})
    assert "private" in bad.text
    assert "Page Host" in client.get("/providers", params={"q": "page"}).text
    assert "Page Host" not in client.get("/providers", params={"q": "zzz"}).text
    r = client.post(
        "/providers/import",
        data={"csrf_token": token},
        files={"file": ("p.csv", b"provider,country,domain\nPage Host,,page.example.net\nX,,\n")},
        follow_redirects=False,
    )
    assert r.status_code == 303
    shown = client.get(r.headers["location"]).text
    assert "domains added 1" in shown and "line 3: country" in shown
    csv_text = client.get("/providers/export.csv").text
    assert "Page Host,platform,NL" in csv_text and "page.example.net" in csv_text
    # An investigator has neither right.
    client.cookies.clear()
    login(client, investigator)
    assert client.get("/providers").status_code == 403


def test_cli_add_import_resolve(settings, monkeypatch, tmp_path) -> None:  # type: ignore[no-untyped-def]
    use_cli_settings(monkeypatch, settings)
    runner = CliRunner()
    r = runner.invoke(
        cli_app,
        ["providers", "add", "CLI Host", "--country", "BE", "--abuse-email", "abuse@cli.example"],
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli_app, ["providers", "add-domain", "CLI Host", "cli-host.example.org"])
    assert r.exit_code == 0, r.output
    r = runner.invoke(
        cli_app, ["providers", "add-network", "CLI Host", "203.0.113.0/24", "--asn", "64509"]
    )
    assert r.exit_code == 0, r.output
    r = runner.invoke(cli_app, ["providers", "add-network", "CLI Host", "10.0.0.0/8"])
    assert r.exit_code == 2 and "private" in r.output
    r = runner.invoke(cli_app, ["providers", "import-asn", str(SAMPLE), "--batch-size", "100"])
    assert r.exit_code == 0, r.output
    assert "4 providers created" in r.output and "3 bad lines" in r.output
    assert "line 6 columns" in r.output
    r = runner.invoke(cli_app, ["providers", "resolve", "https://www.cli-host.example.org/x"])
    assert r.exit_code == 0 and "CLI Host (hosting, BE) by domain cli-host.example.org" in r.output
    r = runner.invoke(cli_app, ["providers", "resolve", "http://198.51.100.100/"])
    assert "EXAMPLE-DE (AS64502)" in r.output and "198.51.100.96/27 (AS64502)" in r.output
    r = runner.invoke(cli_app, ["providers", "resolve", "http://127.0.0.1/"])
    assert r.exit_code == 2 and "private" in r.output
    r = runner.invoke(cli_app, ["providers", "list", "--search", "example-de"])
    assert "EXAMPLE-DE" in r.output and "CLI Host" not in r.output
    r = runner.invoke(cli_app, ["providers", "show", "CLI Host"])
    assert "203.0.113.0/24 AS64509" in r.output and "cli-host.example.org" in r.output
    csv_path = tmp_path / "p.csv"
    r = runner.invoke(cli_app, ["providers", "export", "--out", str(csv_path)])
    assert r.exit_code == 0
    r = runner.invoke(cli_app, ["providers", "import", str(csv_path)])
    assert r.exit_code == 0 and "0 created" in r.output and "0 rows rejected" in r.output
    r = runner.invoke(cli_app, ["providers", "compliance", "--json"])
    assert r.exit_code == 0 and r.output.strip() == "[]"
