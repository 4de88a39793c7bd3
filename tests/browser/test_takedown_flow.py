"""An analyst sends a DSA Art. 16 notice about a phishing page; the provider's operator
opens it in the provider portal, acknowledges receipt and records the removal. Both sides see
the signed timeline. Screenshots go to /tmp/cp-shots/."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path("/tmp/cp-shots")
PASSWORD = "browser takedown password"
POLICE, HOST = "Police cyber unit (takedown browser)", "Grachten Hosting (takedown browser)"
LiveServer = Any


def seed(server: LiveServer) -> None:
    server.cli("org", "add", POLICE, "--kind", "law-enforcement", "--country", "FR")
    server.cli("org", "add", HOST, "--kind", "hosting", "--country", "NL")
    for email, org, role in [
        ("analyst@takedown.example", POLICE, "analyst"),
        ("operator@takedown.example", HOST, "provider-operator"),
    ]:
        server.cli("user", "add", email, "--org", org, "--role", role, "--password", PASSWORD)
    server.cli("providers", "add", "Grachten Hosting", "--country", "NL", "--org", HOST)
    server.cli("providers", "add-domain", "Grachten Hosting", "grachten-hosting.nl")


def sign_in(browser, server: LiveServer, email: str):  # type: ignore[no-untyped-def]
    tab = browser.new_context(viewport={"width": 1280, "height": 900}).new_page()
    tab.goto(server.url + "/login")
    tab.fill("#email", email)
    tab.fill("#password", PASSWORD)
    tab.get_by_role("button", name="Sign in").click()
    tab.wait_for_url(server.url + "/")
    return tab


def test_analyst_sends_a_notice_and_the_provider_records_removal(
    live_server: LiveServer, browser
) -> None:  # type: ignore[no-untyped-def]
    server = live_server
    seed(server)
    SHOTS.mkdir(exist_ok=True)
    url = "https://login-bank.grachten-hosting.nl/secure/index.php"

    analyst = sign_in(browser, server, "analyst@takedown.example")
    analyst.get_by_role("link", name="Takedown").first.click()
    analyst.wait_for_url("**/takedown")
    analyst.click("#new-notice")
    analyst.check("input[name=kind][value=dsa-art16]")
    analyst.click("#choose")
    form = analyst.locator("#notice-form")
    assert "source: Regulation (EU) 2022/2065 (DSA) Art. 16" in form.inner_text()
    analyst.fill("#f-urls", url)
    analyst.select_option("#f-category", "phishing")
    analyst.fill("#f-explanation", "Phishing page imitating a bank's log-in form.")
    analyst.fill("#f-good_faith", "I believe in good faith that this notice is accurate.")
    analyst.click("#send")
    assert "DSA Art. 16(2)(c)" in analyst.locator("#form-errors").inner_text()
    analyst.fill("#f-notifier-name", "Analyst Martin")
    analyst.fill("#f-notifier-email", "analyst@takedown.example")
    analyst.screenshot(path=str(SHOTS / "takedown-new-notice.png"), full_page=True)
    analyst.click("#send")
    analyst.wait_for_selector("#reference")
    reference = analyst.locator("#reference").inner_text().strip()
    assert reference.startswith("TD-FR-")
    assert "domain grachten-hosting.nl" in analyst.locator("body").inner_text()
    notice_url = analyst.url

    operator = sign_in(browser, server, "operator@takedown.example")
    operator.get_by_role("link", name="Notices").first.click()
    operator.wait_for_url("**/provider")
    row = operator.locator("#notices tbody tr", has_text=reference)
    assert "sent" in row.inner_text()
    operator.screenshot(path=str(SHOTS / "takedown-portal.png"), full_page=True)
    row.get_by_role("link", name=reference).click()
    operator.click("#acknowledge")
    operator.wait_for_selector("#timeline tr[data-kind=received]")
    assert operator.locator("#acknowledge").count() == 0
    operator.check("#act-removed")
    operator.fill("#a-reason", "Phishing kit deleted, customer account suspended.")
    operator.click("#record-action")
    operator.wait_for_selector("#timeline tr[data-kind=acted]")
    assert operator.locator("#record-action").count() == 0  # buttons go once answered
    assert "removed at" in operator.locator("#action").inner_text()
    operator.screenshot(path=str(SHOTS / "takedown-portal-notice.png"), full_page=True)

    analyst.goto(notice_url)
    timeline = analyst.locator("#timeline").inner_text()
    assert timeline.count("signature valid") == 2
    kinds = analyst.locator("#timeline tr.event").evaluate_all(
        "rows => rows.map(r => r.dataset.kind)"
    )
    assert kinds == ["sent", "received", "acted"]
    assert "removed" in analyst.locator("h1").inner_text()
    analyst.screenshot(path=str(SHOTS / "takedown-notice-sender.png"), full_page=True)
