"""A citizen files a fraud report in French in a real browser; an analyst finds it by its
reference in the queue, opens it and triages it. Screenshots go to /tmp/cp-shots/."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import pytest

pytestmark = [pytest.mark.browser, pytest.mark.xdist_group("browser")]
SHOTS = Path("/tmp/cp-shots")
PASSWORD = "browser analyst password"
LiveServer = Any  # the live_server fixture of tests/browser/conftest.py


def file_fraud_report_in_french(page, server: LiveServer) -> str:  # type: ignore[no-untyped-def]
    page.goto(server.url + "/report?lang=fr")
    page.get_by_role("link", name="Escroquerie en ligne").click()
    page.wait_for_url("**/report/fraud")
    assert page.get_by_role("heading", name="Escroquerie en ligne").is_visible()
    page.select_option("#f-victim_country", "FR")
    page.select_option("#f-victim_type", "person")
    page.fill("#f-occurred_on", "2026-02-14")
    page.fill("#f-amount", "1 250,00")
    page.select_option("#f-currency", "EUR")
    page.select_option("#f-payment_method", "bank-transfer")
    page.select_option("#f-contact_channel", "marketplace")
    page.fill("#f-suspect_identifiers", "FR76 3000 6000 0112 3456 7890 189")
    page.fill(
        "#f-description",
        "J'ai acheté une voiture d'occasion sur un site d'annonces. "
        "Le vendeur a disparu après le virement de l'acompte.",
    )
    page.fill("#f-reporter_email", "victime@courriel.example")
    page.check("#f-consent_contact")
    SHOTS.mkdir(exist_ok=True)
    page.screenshot(path=str(SHOTS / "report-form-fr.png"), full_page=True)
    page.get_by_role("button", name="Envoyer le signalement").click()
    page.wait_for_selector("#reference")
    assert page.get_by_role("heading", name=re.compile("Merci")).is_visible()
    assert page.locator("#status-secret").inner_text().strip()
    page.screenshot(path=str(SHOTS / "report-confirmation-fr.png"), full_page=True)
    return str(page.locator("#reference").inner_text().strip())


def test_citizen_reports_in_french_and_analyst_triages(
    live_server: LiveServer,
    page,  # type: ignore[no-untyped-def]
    browser,
) -> None:
    server = live_server
    # The French police unit receives reports of French victims.
    server.cli("org", "add", "Police FR (browser)", "--kind", "law-enforcement", "--country", "FR")
    server.cli(
        "user",
        "add",
        "analyst.fr@police.example",
        "--org",
        "Police FR (browser)",
        "--role",
        "analyst",
        "--password",
        PASSWORD,
    )

    reference = file_fraud_report_in_french(page, server)
    assert re.fullmatch(r"FR-\d{4}-\d{6}", reference)

    staff = browser.new_context(viewport={"width": 1280, "height": 900})
    tab = staff.new_page()
    try:
        tab.goto(server.url + "/login")
        tab.fill("#email", "analyst.fr@police.example")
        tab.fill("#password", PASSWORD)
        tab.get_by_role("button", name="Sign in").click()
        tab.wait_for_url(server.url + "/")
        tab.get_by_role("link", name="Report queue").first.click()
        tab.wait_for_url("**/reports")
        tab.fill("#q-reference", reference)
        tab.get_by_role("button", name="Filter").click()
        link = tab.get_by_role("link", name=reference)
        assert link.count() == 1
        tab.screenshot(path=str(SHOTS / "report-queue.png"), full_page=True)
        link.click()
        tab.wait_for_selector("#triage")
        assert "voiture" in tab.locator("#description").inner_text()
        tab.select_option("#t-status", "triaged")
        tab.select_option("#t-offence", "ets185-art8")
        tab.get_by_role("button", name="Save triage").click()
        tab.wait_for_url(re.compile(r".*done=triaged.*"))
        assert tab.get_by_text("Triage saved.").is_visible()
        assert tab.locator("#history").get_by_text("report.triage").is_visible()
        tab.screenshot(path=str(SHOTS / "report-detail.png"), full_page=True)
    finally:
        staff.close()
