"""Campaigns through the API, the pages and the CLI, on both databases."""

from __future__ import annotations

import json
import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.core.audit import AuditEntry
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.core.models_registry import metadata  # noqa: F401  (all tables known)
from contactpoint.correlation.models import CampaignMember
from contactpoint.indicators.models import ReportIndicator
from factories import (
    bearer,
    csrf_of,
    login,
    make_org,
    make_token,
    make_user,
    report_data,
    use_cli_settings,
)

IBAN = "FR7630006000011234567890189"


@pytest.fixture
def tokens(factory: sessionmaker[Session]) -> dict[str, str]:
    with transaction(factory) as s:
        fr_user = make_user(
            s,
            make_org(s, "Police FR", "law-enforcement", "FR"),
            ["analyst"],
            email="fr@example.org",
        )
        de_user = make_user(
            s,
            make_org(s, "Polizei DE", "law-enforcement", "DE"),
            ["analyst"],
            email="de@example.org",
        )
        perms = ["reports:read", "reports:submit", "reports:triage"]
        return {"fr": make_token(s, fr_user, perms)[1], "de": make_token(s, de_user, perms)[1]}


def submit(client: TestClient, token: str, country: str, **kw: object) -> str:
    body = report_data(victim_country=country, **kw)
    resp = client.post("/api/v1/reports", json=body, headers=bearer(token))
    assert resp.status_code == 201, resp.text
    return str(resp.json()["id"])


def queued_links(factory: sessionmaker[Session]) -> int:
    with transaction(factory) as s:
        if s.get_bind().dialect.name == "postgresql":
            sql = "SELECT count(*) FROM procrastinate_jobs WHERE task_name = 'correlation.link'"
        else:
            sql = "SELECT count(*) FROM job_queue WHERE name = 'correlation.link'"
        return int(s.execute(text(sql)).scalar() or 0)


@pytest.fixture
def two_countries(
    client: TestClient,
    tokens: dict[str, str],
    factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> tuple[str, str, str]:
    a = submit(client, tokens["fr"], "FR", tlp="GREEN", loss_amount="100.00")
    b = submit(client, tokens["de"], "DE", loss_amount="900.00")  # AMBER: DE only
    c = submit(client, tokens["de"], "DE", tlp="GREEN", loss_amount="50.00")
    assert queued_links(factory) >= 3  # each intake queued its linking job
    use_cli_settings(monkeypatch, settings)
    from contactpoint.cli import app

    out = CliRunner().invoke(app, ["campaigns", "recompute"])
    assert out.exit_code == 0, out.output
    assert "1 campaigns" in out.output
    return a, b, c


def test_api_lists_and_shows_only_what_the_caller_may_see(
    client: TestClient, tokens: dict[str, str], two_countries: tuple[str, str, str]
) -> None:
    a, _b, c = two_countries
    listed = client.get("/api/v1/campaigns", headers=bearer(tokens["fr"])).json()["items"]
    assert len(listed) == 1
    assert listed[0]["reports"] == 2 and listed[0]["losses"] == {"EUR": "150.00"}
    assert listed[0]["countries"] == ["DE", "FR"]
    cid = listed[0]["id"]
    de = client.get(f"/api/v1/campaigns/{cid}", headers=bearer(tokens["de"])).json()
    assert de["reports"] == 3 and de["losses"] == {"EUR": "1050.00"}
    fr = client.get(f"/api/v1/campaigns/{cid}", headers=bearer(tokens["fr"])).json()
    assert {m["id"] for m in fr["members"]} == {a, c}
    hits = client.get(f"/api/v1/campaigns/hits?report_id={a}", headers=bearer(tokens["fr"]))
    holders = hits.json()["holders"]
    assert [(h["holder"], h["country"], h["reports"]) for h in holders] == [("Polizei DE", "DE", 1)]
    assert (
        client.get("/api/v1/campaigns?country=IT", headers=bearer(tokens["fr"])).json()["items"]
        == []
    )
    missing = client.get(f"/api/v1/campaigns/{uuid.uuid4()}", headers=bearer(tokens["fr"]))
    assert missing.status_code == 404


def test_a_campaign_is_found_by_its_id_or_the_short_id_notices_print(
    client: TestClient, tokens: dict[str, str], two_countries: tuple[str, str, str]
) -> None:
    cid = client.get("/api/v1/campaigns", headers=bearer(tokens["fr"])).json()["items"][0]["id"]
    short = cid.replace("-", "")[-8:]
    for value in (cid, short, short.upper(), cid.replace("-", "")[-12:]):
        found = client.get(
            "/api/v1/campaigns", params={"campaign": value}, headers=bearer(tokens["fr"])
        ).json()["items"]
        assert [c["id"] for c in found] == [cid], value
    other = "0" * 8 if short != "0" * 8 else "1" * 8
    none = client.get(f"/api/v1/campaigns?campaign={other}", headers=bearer(tokens["fr"]))
    assert none.json()["items"] == []
    bad = client.get("/api/v1/campaigns?campaign=zz-top", headers=bearer(tokens["fr"]))
    assert bad.status_code == 422 and "campaign" in bad.text
    login(client, "fr@example.org")
    page = client.get(f"/campaigns?campaign={short}").text
    assert f'href="/campaigns/{cid}"' in page
    assert "is not a campaign id" in client.get("/campaigns?campaign=1234").text


def test_a_campaign_counts_what_other_organisations_hold_and_nothing_more(
    client: TestClient,
    tokens: dict[str, str],
    two_countries: tuple[str, str, str],
    factory: sessionmaker[Session],
) -> None:
    """Hit/no-hit over a whole campaign: FR may not read DE's AMBER report b; it learns that
    Polizei DE holds one more member, and how to ask, not which or what."""
    a, b, _c = two_countries
    cid = client.get("/api/v1/campaigns", headers=bearer(tokens["fr"])).json()["items"][0]["id"]
    fr = client.get(f"/api/v1/campaigns/{cid}", headers=bearer(tokens["fr"])).json()
    [held] = fr["held_elsewhere"]
    assert (held["holder"], held["country"], held["reports"]) == ("Polizei DE", "DE", 1)
    request = held["access_request"]
    assert request.startswith("/cooperation/new?") and "receiving_country=DE" in request
    b_ref = client.get(f"/api/v1/reports/{b}", headers=bearer(tokens["de"])).json()["reference"]
    a_ref = client.get(f"/api/v1/reports/{a}", headers=bearer(tokens["fr"])).json()["reference"]
    assert b_ref and a_ref and b_ref not in json.dumps(fr) and b not in json.dumps(fr)
    assert a_ref in request  # the caller's own report names the request
    de = client.get(f"/api/v1/campaigns/{cid}", headers=bearer(tokens["de"])).json()
    assert de["held_elsewhere"] == []  # DE sees every member
    login(client, "fr@example.org")
    page = client.get(f"/campaigns/{cid}").text
    assert 'id="held-elsewhere"' in page and "1 report(s) held by Polizei DE (DE)" in page
    # An analyst without cooperation:manage is told whom to ask, not given the form.
    assert "Ask a contact-point officer" in page
    with transaction(factory) as s:
        kinds = s.scalars(select(AuditEntry.action).where(AuditEntry.object_id == cid)).all()
    assert "campaign.hits" in kinds


def test_api_exclude_needs_a_reason_and_splits(
    client: TestClient,
    tokens: dict[str, str],
    two_countries: tuple[str, str, str],
    factory: sessionmaker[Session],
) -> None:
    cid = client.get("/api/v1/campaigns", headers=bearer(tokens["de"])).json()["items"][0]["id"]
    ind = client.get(f"/api/v1/campaigns/{cid}", headers=bearer(tokens["de"])).json()["indicators"][
        0
    ]
    url = f"/api/v1/campaigns/indicators/{ind['id']}/exclude"
    bad = client.post(url, json={"reason": ""}, headers=bearer(tokens["de"]))
    assert bad.status_code == 422 and "reason" in bad.text
    ok = client.post(url, json={"reason": "the victims' own bank"}, headers=bearer(tokens["de"]))
    assert ok.status_code == 204, ok.text
    with transaction(factory) as s:
        assert s.scalars(select(CampaignMember)).all() == []
    gone = client.get(f"/api/v1/campaigns/{cid}", headers=bearer(tokens["de"]))
    assert gone.status_code == 404


def test_pages_list_detail_exclude_and_hits(
    client: TestClient, tokens: dict[str, str], two_countries: tuple[str, str, str]
) -> None:
    a = two_countries[0]
    login(client, "fr@example.org")
    page = client.get("/campaigns")
    assert page.status_code == 200 and "DE, FR" in page.text
    cid = page.text.split('href="/campaigns/')[1].split('"')[0]
    detail = client.get(f"/campaigns/{cid}")
    assert "150.00 EUR" in detail.text and IBAN not in detail.text
    report_page = client.get(f"/reports/{a}")
    assert f"/campaigns/hits?report_id={a}" in report_page.text
    hits = client.get(f"/campaigns/hits?report_id={a}")
    assert "1 report(s) held by Polizei DE (DE)" in hits.text
    ind = detail.text.split('name="indicator_id" value="')[1].split('"')[0]
    resp = client.post(
        f"/campaigns/{cid}/indicator",
        data={
            "csrf_token": csrf_of(detail.text),
            "indicator_id": ind,
            "action": "exclude",
            "reason": "shared test account",
        },
        follow_redirects=False,
    )
    assert resp.status_code == 303 and resp.headers["location"] == "/campaigns"
    assert 'id="no-campaigns"' in client.get("/campaigns").text


def test_page_splits_on_ticked_indicators_with_a_reason(
    client: TestClient,
    tokens: dict[str, str],
    two_countries: tuple[str, str, str],
    factory: sessionmaker[Session],
) -> None:
    login(client, "fr@example.org")
    cid = client.get("/campaigns").text.split('href="/campaigns/')[1].split('"')[0]
    detail = client.get(f"/campaigns/{cid}")
    assert 'id="split-form"' in detail.text
    ticked = detail.text.split('form="split-form" name="indicator_ids" value="')[1].split('"')[0]

    # Nothing ticked: the page says so and nothing changes.
    none = client.post(
        f"/campaigns/{cid}/split",
        data={"csrf_token": csrf_of(detail.text), "reason": "marketplace escrow account"},
    )
    assert none.status_code == 200 and "name the indicators to exclude" in none.text
    with transaction(factory) as s:
        assert len(s.scalars(select(CampaignMember)).all()) == 3
        assert s.scalar(select(AuditEntry).where(AuditEntry.action == "campaign.split")) is None

    done = client.post(
        f"/campaigns/{cid}/split",
        data={
            "csrf_token": csrf_of(detail.text),
            "indicator_ids": ticked,
            "reason": "marketplace escrow account",
        },
        follow_redirects=False,
    )
    assert done.status_code == 303 and done.headers["location"] == "/campaigns"
    with transaction(factory) as s:
        assert s.scalars(select(CampaignMember)).all() == []  # the IBAN alone held it
        entry = s.scalars(select(AuditEntry).where(AuditEntry.action == "campaign.split")).one()
        assert entry.reason == "marketplace escrow account"
        assert entry.details["excluded"] == [ticked]


def test_cli_merges_and_splits_with_reasons(
    client: TestClient,
    tokens: dict[str, str],
    factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    other = "DE89370400440532013000"
    pair_one = [submit(client, tokens["fr"], "FR", tlp="GREEN") for _ in "ab"]
    pair_two = [
        submit(
            client,
            tokens["fr"],
            "FR",
            tlp="GREEN",
            suspect_identifiers=[{"type": "iban", "value": other}],
        )
        for _ in "ab"
    ]
    use_cli_settings(monkeypatch, settings)
    from contactpoint.cli import app

    runner = CliRunner()
    assert runner.invoke(app, ["campaigns", "recompute"]).exit_code == 0
    with transaction(factory) as s:
        camp = {
            str(r): str(c)
            for r, c in s.execute(select(CampaignMember.report_id, CampaignMember.campaign_id))
        }
    first, second = camp[pair_one[0]], camp[pair_two[0]]
    assert first != second

    refused = runner.invoke(app, ["campaigns", "merge", first, second, "--reason", " "])
    assert refused.exit_code != 0 and "reason" in refused.output
    merged = runner.invoke(
        app, ["campaigns", "merge", first, second, "--reason", "same mule, two banks"]
    )
    assert merged.exit_code == 0, merged.output
    joined = merged.output.split("merged into campaign ")[1].strip()
    with transaction(factory) as s:
        members = s.scalars(select(CampaignMember.campaign_id)).all()
        assert [str(c) for c in members] == [joined] * 4

    shown = json.loads(runner.invoke(app, ["campaigns", "show", joined, "--json"]).output)
    with transaction(factory) as s:  # the second pair's IBAN (personal data: no value shown)
        second_iban = str(
            s.scalars(
                select(ReportIndicator.indicator_id).where(
                    ReportIndicator.report_id == uuid.UUID(pair_two[1])
                )
            ).one()
        )
    assert second_iban in {i["id"] for i in shown["indicators"]}
    bad = runner.invoke(app, ["campaigns", "split", joined, "--indicator", "nope", "--reason", "x"])
    assert bad.exit_code != 0 and "'nope' is not an id" in bad.output
    split = runner.invoke(
        app,
        ["campaigns", "split", joined, "--indicator", second_iban, "--reason", "shared escrow"],
    )
    assert split.exit_code == 0, split.output
    with transaction(factory) as s:
        left = {str(r) for r in s.scalars(select(CampaignMember.report_id))}
        actions = {e.action: e.reason for e in s.scalars(select(AuditEntry))}
    # The manual link holds one report of the second pair to the first; the other goes.
    assert left == {*pair_one, pair_two[0]} or left == {*pair_one, pair_two[1]}
    assert actions["campaign.merge"] == "same mule, two banks"
    assert actions["campaign.split"] == "shared escrow"
