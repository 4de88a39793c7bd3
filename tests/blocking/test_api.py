"""The blocking API and pages through the real app, on both databases."""

from __future__ import annotations

from pathlib import Path

from fastapi.testclient import TestClient
from sqlalchemy.orm import sessionmaker
from typer.testing import CliRunner

from contactpoint.blocking import signing
from contactpoint.cli import app as cli_app
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from factories import (
    bearer,
    block_entry,
    blocking_users,
    login,
    make_org,
    make_token,
    make_user,
    post_form,
    use_cli_settings,
)


def _setup(factory: sessionmaker) -> dict[str, str]:  # type: ignore[type-arg]
    with transaction(factory) as s:
        officer, isp = blocking_users(s)
        de_isp = make_user(s, make_org(s, kind="isp", country="DE"), ["provider-operator"])
        analyst = make_user(s, make_org(s, country="FR"), ["analyst"])
        return {
            "officer": make_token(s, officer, ["blocklists:manage"])[1],
            "isp": make_token(s, isp, ["blocklists:read"])[1],
            "de_isp": make_token(s, de_isp, ["blocklists:read"])[1],
            "analyst": make_token(s, analyst, ["reports:read"])[1],
        }


def test_authority_publishes_and_providers_download(client: TestClient, factory) -> None:  # type: ignore[no-untyped-def]
    t = _setup(factory)
    base = "/api/v1/blocking/lists/FR"
    r = client.post(f"{base}/entries", json=block_entry(), headers=bearer(t["officer"]))
    assert r.status_code == 201, r.text
    bad = client.post(
        f"{base}/entries",
        json=block_entry(kind="ip", value="192.168.0.1"),
        headers=bearer(t["officer"]),
    )
    assert bad.status_code == 422 and bad.headers["content-type"] == "application/problem+json"
    assert bad.json()["errors"][0]["field"] == "value" and "private" in bad.json()["detail"]
    assert (
        client.post(f"{base}/entries", json=block_entry(), headers=bearer(t["officer"])).status_code
        == 409
    )
    assert (
        client.post(
            f"{base}/entries", json=block_entry(value="x.com"), headers=bearer(t["isp"])
        ).status_code
        == 403
    )
    assert client.post(f"{base}/publish", headers=bearer(t["officer"])).status_code == 201
    client.post(
        f"{base}/entries", json=block_entry(value="second.com"), headers=bearer(t["officer"])
    )
    assert client.post(f"{base}/publish", headers=bearer(t["officer"])).json()["serial"] == 2

    vs = client.get(f"{base}/versions", headers=bearer(t["isp"]))
    assert [v["serial"] for v in vs.json()] == [2, 1]
    rpz = client.get(vs.json()[0]["files"]["rpz"], headers=bearer(t["isp"]))
    assert rpz.status_code == 200 and "second.com CNAME ." in rpz.text
    sig = client.get(vs.json()[0]["files"]["rpz"] + ".sig", headers=bearer(t["isp"]))
    pem = client.get("/.well-known/contactpoint/blocklist-signing-key.pem")
    assert pem.status_code == 200 and pem.text.startswith("-----BEGIN PUBLIC KEY-----")
    assert signing.verify(pem.content, rpz.content, sig.content)
    assert not signing.verify(pem.content, rpz.content + b"evil.com CNAME .\n", sig.content)

    d = client.get(
        f"{base}/diff", params={"from": 1, "to": 2, "format": "hosts"}, headers=bearer(t["isp"])
    )
    assert d.json()["added"] == ["0.0.0.0 second.com"] and d.json()["removed"] == []
    dsig = client.get(
        f"{base}/diff.sig", params={"from": 1, "to": 2, "format": "hosts"}, headers=bearer(t["isp"])
    )
    assert signing.verify(pem.content, d.content, dsig.content)
    for fmt in ("hosts", "csv", "json", "hashes", "prefixes"):
        assert (
            client.get(f"{base}/versions/latest/{fmt}", headers=bearer(t["isp"])).status_code == 200
        ), fmt
    check = client.post(
        f"{base}/check", json={"url": "https://WWW.second.com/x"}, headers=bearer(t["isp"])
    )
    assert len(check.json()["matches"]) == 1


def test_unknown_version_and_other_countries_are_404(client: TestClient, factory) -> None:  # type: ignore[no-untyped-def]
    t = _setup(factory)
    base = "/api/v1/blocking/lists/FR"
    client.post(f"{base}/entries", json=block_entry(), headers=bearer(t["officer"]))
    client.post(f"{base}/publish", headers=bearer(t["officer"]))
    r = client.get(f"{base}/diff", params={"from": 9, "format": "rpz"}, headers=bearer(t["isp"]))
    assert r.status_code == 404 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["full_list"] == "/api/v1/blocking/lists/FR/versions/1/{format}"
    assert "latest is 1" in r.json()["detail"]
    assert client.get(f"{base}/versions/5/rpz", headers=bearer(t["isp"])).status_code == 404
    # A German provider and a token without blocklists:read never see the French list.
    assert client.get(f"{base}/versions", headers=bearer(t["de_isp"])).status_code == 404
    assert client.get(f"{base}/versions/1/rpz", headers=bearer(t["de_isp"])).status_code == 404
    assert client.get("/api/v1/blocking/lists", headers=bearer(t["de_isp"])).json() == []
    assert [
        x["country"] for x in client.get("/api/v1/blocking/lists", headers=bearer(t["isp"])).json()
    ] == ["FR"]
    assert client.get(f"{base}/versions", headers=bearer(t["analyst"])).status_code == 404
    bulk = client.post(
        f"{base}/entries/bulk",
        headers={**bearer(t["officer"]), "content-type": "text/csv"},
        content=b"kind,value,category,legal_basis,decision_reference,redress_text\n"
        b"url,not a url,fraud,L,D,R\nip,8.8.4.4,fraud,L,D,R\n",
    )
    assert bulk.json()["added"] == 1 and bulk.json()["errors"][0]["line"] == 2


def test_stop_page_in_three_languages(client: TestClient, factory) -> None:  # type: ignore[no-untyped-def]
    t = _setup(factory)
    base = "/api/v1/blocking/lists/FR"
    client.post(
        f"{base}/entries",
        json=block_entry(kind="url", value="http://bad.com/p", block_host=True),
        headers=bearer(t["officer"]),
    )
    unpublished = client.get("/blocked", params={"entry": "bad.com"})
    assert "OCLCTIC-2026-0042" not in unpublished.text  # drafts are not public
    client.post(f"{base}/publish", headers=bearer(t["officer"]))
    for lang, words in (
        ("en", "This site is blocked"),
        ("fr", "Ce site est bloqué"),
        ("de", "Diese Website ist gesperrt"),
    ):
        page = client.get("/blocked", params={"entry": "www.bad.com", "lang": lang})
        assert page.status_code == 200 and words in page.text, lang
        assert "OCLCTIC-2026-0042" in page.text and "administrative court" in page.text
        assert "https://redress.example.org/appeal" in page.text
    # The resolver sends blocked names to the stop page host: the Host header names the site.
    by_host = client.get("/blocked", headers={"host": "bad.com"})
    assert "OCLCTIC-2026-0042" in by_host.text


def test_cli_export_verify_and_tamper(
    client: TestClient,
    factory,
    settings: Settings,  # type: ignore[no-untyped-def]
    tmp_path: Path,
    monkeypatch,
) -> None:  # type: ignore[no-untyped-def]
    t = _setup(factory)
    client.post(
        "/api/v1/blocking/lists/FR/entries", json=block_entry(), headers=bearer(t["officer"])
    )
    use_cli_settings(monkeypatch, settings)
    runner = CliRunner()
    r = runner.invoke(cli_app, ["blocking", "publish", "fr"])
    assert r.exit_code == 0, r.output
    out = tmp_path / "fr.rpz"
    r = runner.invoke(cli_app, ["blocking", "export", "FR", "rpz", "-o", str(out)])
    assert r.exit_code == 0, r.output
    sig = Path(f"{out}.sig")
    assert runner.invoke(cli_app, ["blocking", "verify", str(out), str(sig)]).exit_code == 0
    pem = tmp_path / "key.pem"
    pem.write_bytes(client.get("/.well-known/contactpoint/blocklist-signing-key.pem").content)
    ok = runner.invoke(
        cli_app, ["blocking", "verify", str(out), str(sig), "--public-key", str(pem)]
    )
    assert ok.exit_code == 0 and "signature OK" in ok.output
    out.write_text(out.read_text().replace("fake-shop.com", "fake-shop.org"))
    bad = runner.invoke(cli_app, ["blocking", "verify", str(out), str(sig)])
    assert bad.exit_code == 1 and "BAD signature" in bad.output
    missing = runner.invoke(
        cli_app, ["blocking", "export", "FR", "rpz", "--version", "9", "-o", str(out)]
    )
    assert missing.exit_code == 2 and "version 9" in missing.output
    assert runner.invoke(cli_app, ["blocking", "keygen"]).exit_code == 2  # already made


def test_pages_for_authority_and_provider(client: TestClient, factory) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        officer, isp = blocking_users(s)
        officer_email, isp_email = officer.email, isp.email
    login(client, officer_email)
    r = post_form(
        client,
        "/blocklists",
        "/blocklists/entries",
        {k: str(v) for k, v in block_entry(kind="ip", value="10.0.0.8").items()},
    )
    assert r.status_code == 303 and "private" in client.get(r.headers["location"]).text
    r = post_form(
        client, "/blocklists", "/blocklists/entries", {k: str(v) for k, v in block_entry().items()}
    )
    assert "fake-shop.com" in client.get(r.headers["location"]).text
    r = post_form(client, "/blocklists", "/blocklists/publish", {})
    assert "published version 1" in client.get(r.headers["location"]).text
    client.cookies.clear()
    login(client, isp_email)
    page = client.get("/blocklists")
    assert page.status_code == 200 and "/blocklists/1/rpz" in page.text
    assert "Publish a new version" not in page.text  # a provider only downloads
    hosts = client.get("/blocklists/1/hosts")
    assert hosts.status_code == 200 and "0.0.0.0 fake-shop.com" in hosts.text
    assert post_form(client, "/blocklists", "/blocklists/publish", {}).status_code == 403
