"""The FR officer sends an Art. 29 preservation request to the DE contact point; DE
acknowledges and asks for clarification; FR answers; DE answers the request. Both sides see
the same timeline and clocks. Screenshots go to /tmp/cp-shots/."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path("/tmp/cp-shots")
PASSWORD = "browser officer password"
FR_ORG, DE_ORG = "Police nationale cyber (coop browser)", "BKA cyber (coop browser)"
LiveServer = Any
ART29 = {
    "requesting_authority": "Police nationale, OFAC, Nanterre",
    "offence_and_facts": "Computer-related fraud (ETS 185 Art. 8): a fake electronics shop.",
    "data_and_relation": "Subscriber data and access logs of the shop's server.",
    "custodian_or_location": "Nordnetz ISP, Frankfurt am Main",
    "necessity": "The provider deletes access logs after 30 days.",
    "mla_intent": "A mutual assistance request will follow within 30 days.",
}


def seed(server: LiveServer) -> None:
    for org, country, email in [
        (FR_ORG, "FR", "officer.fr@coop.example"),
        (DE_ORG, "DE", "officer.de@coop.example"),
    ]:
        server.cli("org", "add", org, "--kind", "law-enforcement", "--country", country)
        server.cli(
            "user",
            "add",
            email,
            "--org",
            org,
            "--role",
            "contact-point-officer",
            "--password",
            PASSWORD,
        )
    # Route FR and DE to those units: export the shipped directory, name them, import it.
    rows = list(
        csv.DictReader(io.StringIO(server.cli("cooperation", "directory", "export").stdout))
    )
    for row in rows:
        row["contact_point_org"] = {"FR": FR_ORG, "DE": DE_ORG}.get(row["country"], "")
    path = server.cwd / "directory.csv"
    with path.open("w", newline="") as f:
        writer = csv.DictWriter(f, fieldnames=list(rows[0]))
        writer.writeheader()
        writer.writerows(rows)
    out = server.cli("cooperation", "directory", "import", str(path)).stdout
    assert "2 updated" in out


def sign_in(browser, server: LiveServer, email: str):  # type: ignore[no-untyped-def]
    tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    tab.goto(server.url + "/login")
    tab.fill("#email", email)
    tab.fill("#password", PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(server.url + "/")
    return tab


def test_art29_preservation_between_fr_and_de(live_server: LiveServer, browser) -> None:  # type: ignore[no-untyped-def]
    server = live_server
    seed(server)
    SHOTS.mkdir(exist_ok=True)
    fr = sign_in(browser, server, "officer.fr@coop.example")
    fr.get_by_role("link", name="Cooperation").first.click()
    fr.get_by_role("link", name="New request").click()
    fr.select_option("#c-country", "DE")
    fr.select_option("#c-type", "preservation-mla")
    fr.click("#choose")
    assert "both Parties to the Budapest Convention" in fr.locator("#proposal").inner_text()
    assert "source: ETS 185 Art. 29" in fr.locator("#request-form").inner_text()
    fr.fill("#f-subject", "Fake electronics shop hosted in Frankfurt")
    for name, value in ART29.items():
        fr.fill(f"#f-{name}", value)
    fr.screenshot(path=str(SHOTS / "coop-new-request.png"), full_page=True)
    fr.click("#send")
    fr.wait_for_selector("#reference")
    reference = fr.locator("#reference").inner_text().strip()
    request_url = fr.url

    de = sign_in(browser, server, "officer.de@coop.example")
    de.get_by_role("link", name="Cooperation").first.click()
    de.wait_for_url("**/cooperation")
    row = de.locator("#requests tbody tr", has_text=reference)
    assert "running" in row.inner_text()
    de.screenshot(path=str(SHOTS / "coop-inbox-de.png"), full_page=True)
    row.get_by_role("link", name=reference).click()
    de.fill("#a-ack", "We will preserve today and confirm by this channel.")
    de.click("#acknowledge")
    de.wait_for_selector("#timeline tr[data-kind=acknowledged]")
    de.fill("#a-clar", "Which of the shop's two servers do you mean?")
    de.click("#ask-clarification")
    de.wait_for_selector("#timeline tr[data-kind=clarification_requested]")

    fr.goto(request_url)
    fr.fill("#a-clar-answer", "The one at 203.0.113.7.")
    fr.click("#answer-clarification")
    fr.wait_for_selector("#timeline tr[data-kind=clarification_answered]")

    de.goto(request_url)
    de.fill("#a-answer", "Data preserved for 60 days under reference DE-2026-77.")
    de.click("#answer")
    de.wait_for_selector("#timeline tr[data-kind=answered]")
    fr.goto(request_url)

    assert fr.locator("#timeline").inner_text() == de.locator("#timeline").inner_text()
    assert fr.locator("#clocks table").inner_text() == de.locator("#clocks table").inner_text()
    kinds = de.locator("#timeline tr.event").evaluate_all("rows => rows.map(r => r.dataset.kind)")
    assert kinds == [
        "drafted",
        "sent",
        "received",
        "acknowledged",
        "clarification_requested",
        "clarification_answered",
        "answered",
    ]
    clock = de.locator("#clocks tr[data-clock=preservation]").inner_text()
    assert "running" in clock and "source: ETS 185 Art. 29(7)" in clock
    de.screenshot(path=str(SHOTS / "coop-request-de.png"), full_page=True)
    fr.screenshot(path=str(SHOTS / "coop-request-fr.png"), full_page=True)
    fr.get_by_role("link", name="Certificate (print)").click()
    fr.wait_for_url("**/certificate")
    text = fr.locator("body").inner_text()
    assert "Why preservation is necessary [ETS 185 Art. 29(2)(e)]" in text
    fr.screenshot(path=str(SHOTS / "coop-certificate.png"), full_page=True)
