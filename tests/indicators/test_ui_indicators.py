"""Indicator pages: highlighted report text with links, the search box with defanged input,
related reports limited to what the user may see, and the bank operators' lookup page."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import transaction
from contactpoint.indicators.models import Indicator
from factories import (
    FRAUD_TEXT,
    actor_of,
    login,
    make_org,
    make_report,
    make_user,
    post_form,
)


def test_report_page_highlights_indicators_and_links_related_reports(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        fr = make_user(s, make_org(s, "Police FR", "law-enforcement", "FR"), ["analyst"])
        de = make_user(s, make_org(s, "Police DE", "law-enforcement", "DE"), ["analyst"])
        text = "<script>alert(1)</script> " + FRAUD_TEXT
        first = make_report(s, actor_of(fr), description=text, tlp="GREEN")
        other = make_report(s, actor_of(fr), description="Again: paypa1-secure.net", tlp="GREEN")
        hidden = make_report(
            s, actor_of(de), description="paypa1-secure.net", tlp="AMBER", victim_country="DE"
        )
        domain_id = s.scalars(
            select(Indicator.id).where(Indicator.value == "paypa1-secure.net")
        ).one()
        url_id = s.scalars(
            select(Indicator.id).where(Indicator.value == "https://paypa1-secure.net/")
        ).one()
        hidden_ref = hidden.reference
    login(client, fr.email)
    page = client.get(f"/reports/{first.id}")
    assert page.status_code == 200
    desc = re.search(r'<div class="description" id="description">(.*?)</div>', page.text, re.S)
    assert desc is not None
    html = desc.group(1)
    assert "<script>" not in html and "&lt;script&gt;" in html  # escaped, not run
    assert "4111 1111 1111 1111" not in page.text
    assert re.search(r'<mark class="indicator" data-type="iban"><a href="/indicators/[^"]+"', html)
    # google.com is benign: muted, and not a link
    assert re.search(r'<mark class="indicator benign muted"[^>]*>google\.com</mark>', html)
    assert f'href="/indicators/{url_id}"' in html  # the URL; its domain is inside it
    # each suspect identifier links to its indicator page too
    assert re.search(r'<code>iban</code> <a href="/indicators/[^"]+">FR76', page.text)

    related = client.get(f"/indicators/{domain_id}")
    assert related.status_code == 200
    assert first.reference in related.text and other.reference in related.text
    assert hidden_ref not in related.text  # police DE's AMBER report stays invisible


def test_search_box_accepts_defanged_input(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        fr = make_user(s, make_org(s, "Police FR", "law-enforcement", "FR"), ["analyst"])
        make_report(s, actor_of(fr), description=FRAUD_TEXT)
    login(client, fr.email)
    page = client.get("/indicators", params={"q": "hxxps://paypa1-secure[.]net"})
    assert page.status_code == 200
    assert "https://paypa1-secure.net/" in page.text
    none = client.get("/indicators", params={"q": "nothing-like-this.example"})
    assert 'id="no-results"' in none.text
    nav = client.get("/")
    assert 'href="/indicators"' in nav.text


def test_lookup_page_for_bank_operators(client: TestClient, factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        fr = make_user(s, make_org(s, "Police FR", "law-enforcement", "FR"), ["analyst"])
        make_report(s, actor_of(fr), description=FRAUD_TEXT, tlp="GREEN")
        bank = make_user(s, make_org(s, "Bank", "bank", "FR"), ["bank-operator"])
    login(client, bank.email)
    assert client.get("/indicators").status_code in (403, 404)  # no search for banks
    form = {"type": "iban", "value": "DE89370400440532013000", "purpose": "short"}
    bad = post_form(client, "/indicators/lookup", "/indicators/lookup", form)
    assert bad.status_code == 422 and "purpose" in bad.text.lower()
    form["purpose"] = "fraud check on outgoing transfer"
    ok = post_form(client, "/indicators/lookup", "/indicators/lookup", form)
    assert ok.status_code == 200
    assert re.search(r'id="report-count">1<', ok.text)
    assert "FR" in ok.text
    with transaction(factory) as s:
        reasons = list(
            s.scalars(select(AuditEntry.reason).where(AuditEntry.action == "indicator.lookup"))
        )
    assert reasons == ["fraud check on outgoing transfer"]
