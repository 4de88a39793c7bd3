"""The campaign graph, the list filters, over-correlation display and hit/no-hit access
requests, through the service, the API and the pages, on both databases. Nothing of a report
the viewer may not read may appear in any of them."""

from __future__ import annotations

import uuid
from datetime import timedelta
from urllib.parse import parse_qs, urlparse

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings
from contactpoint.core.db import short_id, transaction, utcnow
from contactpoint.core.errors import Forbidden
from contactpoint.correlation import actions, notices
from contactpoint.correlation import graph as graphs
from contactpoint.correlation import service as campaigns
from contactpoint.correlation.models import CampaignMember
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports.models import Report
from factories import actor_of, bearer, login, make_org, make_report, make_token, make_user

IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "DE89370400440532013000"
THIRD_IBAN = "NL91ABNA0417164300"
SECRET = "Secret DE narrative about the mule Hans"
PERMS = ["reports:read", "reports:submit", "reports:triage"]


class World:
    """FR analyst + FR officer, DE analyst, a stranger org; campaign X spans FR and DE (one DE
    report is AMBER: DE only), campaign Y is two older FR reports."""

    def __init__(self, factory: sessionmaker[Session]) -> None:
        with transaction(factory) as s:
            fr = make_org(s, "Police FR", "law-enforcement", "FR")
            de = make_org(s, "Polizei DE", "law-enforcement", "DE")
            self.de_org = de.id
            fr_analyst = make_user(s, fr, ["analyst"], email="analyst.fr@example.org")
            make_user(s, fr, ["contact-point-officer"], email="officer.fr@example.org")
            de_analyst = make_user(s, de, ["analyst"], email="analyst.de@example.org")
            self.fr: Actor = actor_of(fr_analyst)
            self.de: Actor = actor_of(de_analyst)
            self.tokens = {
                "fr": make_token(s, fr_analyst, PERMS)[1],
                "de": make_token(s, de_analyst, PERMS)[1],
            }
            ids = lambda *v: [{"type": "iban", "value": x} for x in v]  # noqa: E731
            self.a = make_report(
                s, self.fr, victim_country="FR", tlp="GREEN", suspect_identifiers=ids(IBAN)
            )
            self.b = make_report(
                s, self.de, victim_country="DE", suspect_identifiers=ids(IBAN), description=SECRET
            )  # AMBER: DE only
            self.c = make_report(
                s, self.de, victim_country="DE", tlp="GREEN", suspect_identifiers=ids(IBAN)
            )
            self.y = [
                make_report(
                    s,
                    self.fr,
                    victim_country="FR",
                    tlp="GREEN",
                    suspect_identifiers=ids(OTHER_IBAN),
                )
                for _ in range(2)
            ]
            old = utcnow() - timedelta(days=60)
            s.execute(
                update(Report).where(Report.id.in_([r.id for r in self.y])).values(created_at=old)
            )
            campaigns.link_reports(s, [self.a.id, self.y[0].id])
            self.x_id = s.scalar(
                select(CampaignMember.campaign_id).where(CampaignMember.report_id == self.a.id)
            )
            self.y_id = s.scalar(
                select(CampaignMember.campaign_id).where(CampaignMember.report_id == self.y[0].id)
            )
        assert self.x_id and self.y_id and self.x_id != self.y_id


@pytest.fixture
def world(factory: sessionmaker[Session]) -> World:
    return World(factory)


def no_trace_of_b(text: str, w: World) -> None:
    for leak in (str(w.b.id), w.b.reference, SECRET, "Hans"):
        assert leak not in text, f"{leak!r} leaked"


def test_graph_api_draws_only_visible_members(client: TestClient, world: World) -> None:
    url = f"/api/v1/campaigns/{world.x_id}/graph"
    fr = client.get(url, headers=bearer(world.tokens["fr"]))
    assert fr.status_code == 200, fr.text
    g = fr.json()
    reports = {n["data"]["label"] for n in g["nodes"] if n["data"]["kind"] == "report"}
    assert reports == {world.a.reference, world.c.reference}
    inds = [n["data"] for n in g["nodes"] if n["data"]["kind"] == "indicator"]
    assert [(i["type"], i["reports"], i["state"]) for i in inds] == [("iban", 2, "links")]
    assert IBAN not in fr.text  # a personal-data value is never drawn
    assert len(g["edges"]) == 2 and g["reports_total"] == 2 and g["truncated"] is False
    assert {n["data"]["url"] for n in g["nodes"]} >= {f"/reports/{world.a.id}"}
    no_trace_of_b(fr.text, world)
    de = client.get(url, headers=bearer(world.tokens["de"])).json()
    assert de["reports_total"] == 3 and len(de["edges"]) == 3
    cut = client.get(url + "?max_reports=1", headers=bearer(world.tokens["de"])).json()
    assert cut["reports_shown"] == 1 and cut["truncated"] is True
    assert cut["edges"] == []  # one drawn report: nothing it shares with another drawn one
    missing = client.get(
        f"/api/v1/campaigns/{uuid.uuid4()}/graph", headers=bearer(world.tokens["fr"])
    )
    assert missing.status_code == 404


def test_campaign_page_embeds_the_graph_and_keeps_the_tables(
    client: TestClient, world: World
) -> None:
    login(client, "analyst.fr@example.org")
    page = client.get(f"/campaigns/{world.x_id}")
    assert page.status_code == 200
    html = page.text
    assert 'id="campaign-graph-data"' in html and 'id="members"' in html
    assert '<span id="graph-nodes">3</span>' in html  # 2 reports + 1 indicator
    assert 'src="/static/vendor/cytoscape.min.js"' in html
    no_trace_of_b(html, world)
    js = client.get("/campaigns-static/campaign-graph.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("text/javascript")
    assert client.get("/static/vendor/cytoscape.min.js").status_code == 200
    assert client.get("/campaigns-static/../ui.py").status_code == 404


def test_filters_by_growth_size_dates_and_sorts(world: World, db: Session) -> None:
    def ids(**kw: object) -> list[str]:
        return [c["id"] for c in campaigns.list_campaigns(db, world.de, **kw)[0]]  # type: ignore[arg-type]

    x, y = str(world.x_id), str(world.y_id)
    assert ids(growth_days=30, min_growth=1) == [x]
    assert ids(growth_days=90, min_growth=2) == [x, y]
    grown = campaigns.list_campaigns(db, world.de, growth_days=30)[0]
    assert {c["id"]: c["growth"] for c in grown} == {x: 3, y: 0}
    fr_view = campaigns.list_campaigns(db, world.fr, growth_days=30)[0]
    assert {c["id"]: c["growth"] for c in fr_view}[x] == 2  # the AMBER DE report is not counted
    assert ids(sort="size") == [x, y] and ids(max_size=2) == [y] and ids(min_size=3) == [x]
    assert ids(sort="growth") == [x, y]
    now = utcnow()
    assert ids(first_seen_to=now - timedelta(days=40)) == [y]
    assert ids(since=now - timedelta(days=10)) == [x]
    assert ids(last_seen_to=now - timedelta(days=10)) == [y]
    assert ids(first_seen_from=now - timedelta(days=10), country="DE") == [x]
    first, cursor = campaigns.list_campaigns(db, world.de, sort="size", limit=1)
    assert [c["id"] for c in first] == [x] and cursor
    second, end = campaigns.list_campaigns(db, world.de, sort="size", limit=1, cursor=cursor)
    assert [c["id"] for c in second] == [y] and end is None


def test_filters_through_api_and_page(client: TestClient, world: World) -> None:
    h = bearer(world.tokens["fr"])
    got = client.get("/api/v1/campaigns?growth_days=30&min_growth=1&sort=growth", headers=h).json()
    assert [(c["id"], c["growth"]) for c in got["items"]] == [(str(world.x_id), 2)]
    old = client.get(
        "/api/v1/campaigns?first_seen_to=" + (utcnow() - timedelta(days=40)).date().isoformat(),
        headers=h,
    )
    assert [c["id"] for c in old.json()["items"]] == [str(world.y_id)]
    bad = client.get("/api/v1/campaigns?sort=colour", headers=h)
    assert bad.status_code == 422
    login(client, "analyst.fr@example.org")
    page = client.get("/campaigns?min_growth=1&growth_days=30&sort=growth").text
    assert short_id(world.x_id) in page and short_id(world.y_id) not in page
    assert '<td class="growth">+2</td>' in page
    day = (utcnow() - timedelta(days=40)).date().isoformat()
    older = client.get(f"/campaigns?first_to={day}&sort=size").text
    assert short_id(world.y_id) in older and short_id(world.x_id) not in older
    assert 'id="filter-error"' in client.get("/campaigns?min_size=3&max_size=2").text


def test_hits_never_leak_and_draft_a_prefilled_access_request(
    client: TestClient, world: World, settings: Settings
) -> None:
    h = bearer(world.tokens["fr"])
    resp = client.get(f"/api/v1/campaigns/hits?report_id={world.a.id}", headers=h)
    assert resp.status_code == 200
    holders = resp.json()["holders"]
    assert [(x["holder"], x["country"], x["reports"], x["indicator_types"]) for x in holders] == [
        ("Polizei DE", "DE", 1, ["iban"])
    ]
    no_trace_of_b(resp.text, world)
    assert IBAN not in resp.text
    draft = urlparse(holders[0]["access_request"])
    q = {k: v[0] for k, v in parse_qs(draft.query).items()}
    assert draft.path == "/cooperation/new"
    assert q["receiving_org_id"] == str(world.de_org) and q["receiving_country"] == "DE"
    assert q["type_code"] == settings.correlation_access_request_type == "mla"
    assert "iban" in q["subject"] and world.a.reference in q["subject"]
    no_trace_of_b(q["subject"], world)

    login(client, "analyst.fr@example.org")  # an analyst cannot send requests: no button
    page = client.get(f"/campaigns/hits?report_id={world.a.id}").text
    assert "1 report(s) held by Polizei DE (DE)" in page and "Draft an access request" not in page
    no_trace_of_b(page, world)

    client.cookies.clear()
    login(client, "officer.fr@example.org")
    page = client.get(f"/campaigns/hits?report_id={world.a.id}").text
    assert "Draft an access request" in page
    no_trace_of_b(page, world)
    href = page.split('class="button access-request" href="')[1].split('"')[0].replace("&amp;", "&")
    form = client.get(href)
    assert form.status_code == 200
    assert f'<option value="{world.de_org}" selected' in form.text
    assert 'id="request-form"' in form.text and 'id="prefill-note"' in form.text
    assert (
        'name="subject" size="70" maxlength="300" value="Access request: 1 report(s)' in form.text
    )
    assert f'type="hidden" name="receiving_org_id" value="{world.de_org}"' in form.text


def test_over_correlating_shows_visible_holders_and_only_a_full_viewer_lifts(
    db: Session, settings: Settings, factory: sessionmaker[Session]
) -> None:
    db.info["settings"] = settings.model_copy(update={"correlation_max_campaigns": 2})
    fr = actor_of(make_user(db, make_org(db, "Police FR", "law-enforcement", "FR")))
    de = actor_of(make_user(db, make_org(db, "Polizei DE", "law-enforcement", "DE")))
    ibans = lambda *v: [{"type": "iban", "value": x} for x in v]  # noqa: E731
    pair = [
        make_report(
            db, fr, victim_country="FR", tlp="GREEN", suspect_identifiers=ibans(IBAN, THIRD_IBAN)
        )
        for _ in range(2)
    ]
    make_report(db, fr, victim_country="FR", tlp="GREEN", suspect_identifiers=ibans(IBAN))
    make_report(db, de, victim_country="DE", suspect_identifiers=ibans(IBAN))  # AMBER: DE only
    campaigns.link_reports(db, [r.id for r in pair])
    cid = db.scalar(select(CampaignMember.campaign_id))
    assert cid is not None
    over = db.scalar(
        select(Indicator)
        .join(ReportIndicator, ReportIndicator.indicator_id == Indicator.id)
        .group_by(Indicator.id)
        .having(func.count(func.distinct(ReportIndicator.report_id)) == 4)
    )
    assert over is not None  # the IBAN all four hold

    def row(actor: Actor) -> dict[str, object]:
        found = campaigns.get_campaign(db, actor, cid)["indicators"]
        return next(i for i in found if i["id"] == str(over.id))

    mine = row(fr)
    assert mine["state"] == "over-correlating" and mine["reports"] == 2
    assert mine["holders"] == 3 and mine["may_lift"] is False  # 4 hold it; FR sees 3
    with pytest.raises(Forbidden):
        actions.lift_over_correlation(db, fr, over.id, "looks like one mule account")
    drawn = graphs.campaign_graph(db, fr, cid)["nodes"]
    states = {n["data"]["state"] for n in drawn if n["data"]["kind"] == "indicator"}
    assert states == {"links", "over-correlating"}  # the non-linking one is drawn, marked
    theirs = row(de)
    assert theirs["holders"] == 4 and theirs["may_lift"] is True
    actions.lift_over_correlation(db, de, over.id, "one mule account, checked")
    assert row(de)["state"] == "lifted"
    assert len(set(db.scalars(select(CampaignMember.report_id)))) == 4


def test_officer_is_told_and_the_notice_names_no_hidden_report(
    client: TestClient, world: World, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        assert notices.run(s).campaigns == 1  # X spans FR and DE; Y is French only
    login(client, "officer.fr@example.org")
    page = client.get("/campaigns").text
    assert "1 unread campaign notification(s)" in page
    notes = client.get("/cooperation/notifications").text
    assert f'href="/campaigns/{world.x_id}"' in notes and "DE 2" in notes and "FR 1" in notes
    no_trace_of_b(notes, world)
