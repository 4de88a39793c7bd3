"""The campaign page draws its graph with the vendored cytoscape.js under the site's CSP (no
CDN, no inline script): the canvas is there, the drawn node count equals the JSON's, a click
on a report node opens that report; the search box finds a node and the legend hides a
country; ticking indicators splits the campaign. Screenshots in /tmp/cp-shots/
campaign-graph.png, campaign-graph-find.png and campaign-split.png."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path("/tmp/cp-shots")
PASSWORD = "browser graph password"
LiveServer = Any

SEED = """
from sqlalchemy import select
from contactpoint.accounts import service
from contactpoint.accounts.deps import actor_for_user
from contactpoint.core.actor import SYSTEM
from contactpoint.core.clitools import cli_session
from contactpoint.correlation import service as campaigns
from contactpoint.correlation.models import CampaignMember
from contactpoint.reports import service as reports
from contactpoint.reports.models import Source
from contactpoint.reports.schemas import ReportIn

IBANS = ["FR7630006000011234567890189", "DE89370400440532013000", "NL91ABNA0417164300"]
with cli_session() as s:
    actors = {}
    for country in ("FR", "DE", "NL"):
        org = service.create_organisation(
            s, SYSTEM, f"Graph police {country}", "law-enforcement", country
        )
        user = service.create_user(
            s, SYSTEM, f"graph.{country.lower()}@example.org", org, ["analyst"], "PASSWORD"
        )
        actors[country] = actor_for_user(user, org)
    ids = []
    for i in range(12):
        country = ("FR", "DE", "NL")[i % 3]
        data = ReportIn.model_validate({
            "crime_kind": "fraud", "victim_country": country, "victim_type": "person",
            "tlp": "GREEN", "occurred_at": "2026-03-01T10:00:00Z",
            "description": f"Paid for a phone on a classifieds site, never delivered ({i}).",
            "loss_amount": "300.00", "loss_currency": "EUR", "payment_method": "bank-transfer",
            "suspect_identifiers": [
                {"type": "iban", "value": IBANS[i % 3]},
                {"type": "phone", "value": "+33 6 12 34 56 7" + str(i % 2)},
            ],
        })
        ids.append(reports.submit(s, actors[country], data, source=Source.API).report.id)
    campaigns.link_reports(s, ids)
    print(s.scalar(select(CampaignMember.campaign_id).where(CampaignMember.report_id == ids[0])))
""".replace("PASSWORD", PASSWORD)


def test_campaign_graph_renders_opens_a_report_and_splits(live_server: LiveServer, page) -> None:  # type: ignore[no-untyped-def]
    server = live_server
    cid = server.python(SEED).strip().splitlines()[-1]
    problems: list[str] = []
    page.on(
        "console",
        lambda m: problems.append(f"{m.text} at {m.location}") if m.type == "error" else None,
    )
    page.on("pageerror", lambda e: problems.append(str(e)))
    page.goto(server.url + "/login")
    page.fill("#email", "graph.fr@example.org")
    page.fill("#password", PASSWORD)
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(server.url + "/")
    problems.clear()  # only what the campaign page itself causes
    page.goto(f"{server.url}/campaigns/{cid}")
    page.wait_for_selector("#campaign-graph[data-rendered]")
    drawn = int(page.get_attribute("#campaign-graph", "data-rendered") or 0)
    expected = int(page.inner_text("#graph-nodes"))
    assert drawn == expected and expected >= 12 + 3  # 12 reports, 3 IBANs (+ phones)
    assert page.locator("#campaign-graph canvas").count() >= 1
    assert page.locator("#graph-legend .graph-key").count() >= 4  # countries and types
    # No CSP refusal and no script error, from the graph or from htmx (whose inline
    # indicator style base.html turns off).
    assert problems == [], "\n".join(problems)
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "campaign-graph.png"), full_page=True)

    # Find, by reference (any case): the report is marked, its two indicators stay bright,
    # the rest fade. A type finds its indicators; a miss says so and marks nothing.
    graph = "sel => window.campaignGraph.nodes(sel).length"
    bright = (
        "kind => window.campaignGraph.nodes(`[kind = '${kind}']`)"
        ".filter(n => !n.hasClass('faded')).length"
    )
    find = page.get_by_role("button", name="Find", exact=True)
    page.fill("#graph-query", "de-2026-000003")
    find.click()
    assert page.evaluate(graph, ".match") == 1
    assert page.evaluate(graph, ".match[label = 'DE-2026-000003']") == 1
    assert page.inner_text("#graph-found") == "found: 1"
    assert page.evaluate(bright, "report") == 1
    assert page.evaluate(bright, "indicator") == 2  # its IBAN and its phone
    page.screenshot(path=str(SHOTS / "campaign-graph-find.png"), full_page=True)
    page.fill("#graph-query", "iban")
    find.click()
    assert page.evaluate(graph, ".match") == 3
    page.fill("#graph-query", "no such thing")
    find.click()
    assert page.inner_text("#graph-found") == "nothing found"
    assert page.evaluate(graph, ".match, .faded") == 0
    page.get_by_role("button", name="Show all").click()
    assert page.input_value("#graph-query") == ""
    # The legend hides a country's reports and shows them again.
    de = page.locator("#graph-legend button.graph-key", has_text="country DE")
    de.click()
    assert de.get_attribute("aria-pressed") == "false"
    # cytoscape applies a class's style on its next frame: wait for it, not a fixed time.
    shown = "n => window.campaignGraph.nodes(\"[kind = 'report']:visible\").length === n"
    page.wait_for_function(shown, arg=8, timeout=5000)
    assert page.evaluate(graph, "[country = 'DE']:visible") == 0
    de.click()
    page.wait_for_function(shown, arg=12, timeout=5000)
    # Click a report node where cytoscape drew it, one no other node covers (the layout
    # may overlap nodes, and a click on the overlap opens the indicator): the report opens.
    spot = page.evaluate(
        """() => { const cy = window.campaignGraph;
                   const clear = n => { const p = n.renderedPosition();
                     return cy.nodes().filter(o => o.id() !== n.id()).every(o => {
                       const b = o.renderedBoundingBox();
                       return p.x < b.x1 || p.x > b.x2 || p.y < b.y1 || p.y > b.y2; }); };
                   const n = cy.nodes('[kind = "report"]').filter(clear)[0];
                   const p = n.renderedPosition(); return {x: p.x, y: p.y, url: n.data('url')}; }"""
    )
    # Bring the node itself into the window (the graph can be taller than the viewport,
    # and a click below its bottom edge lands nowhere).
    page.locator("#campaign-graph").scroll_into_view_if_needed()
    box = page.locator("#campaign-graph").bounding_box()
    assert box is not None
    page.evaluate("dy => window.scrollBy(0, dy)", box["y"] + spot["y"] - 200)
    box = page.locator("#campaign-graph").bounding_box()
    assert box is not None
    page.mouse.click(box["x"] + spot["x"], box["y"] + spot["y"])
    page.wait_for_url(server.url + spot["url"])
    assert page.url.endswith(spot["url"])

    # Split: tick the two phones (they join the three IBANs' groups), give a reason. The
    # biggest piece keeps the campaign: one IBAN's four reports.
    problems.clear()
    page.goto(f"{server.url}/campaigns/{cid}")
    phones = page.locator("#indicators tr", has=page.locator("code", has_text="phone"))
    assert phones.count() == 2
    for row in phones.all():
        row.locator('input[type="checkbox"][form="split-form"]').check()
    page.fill("#s-reason", "a marketplace's shared support line")
    page.get_by_role("button", name="Split on the ticked indicators").click()
    page.wait_for_url(f"{server.url}/campaigns/{cid}")
    assert page.inner_text("#size") == "4"
    assert "excluded" in page.inner_text("#indicators")
    page.screenshot(path=str(SHOTS / "campaign-split.png"), full_page=True)
    assert problems == [], "\n".join(problems)
