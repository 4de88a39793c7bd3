"""Test builders shared by every area. Add functions; don't copy them into test files."""

from __future__ import annotations

import itertools
import json
import re
from typing import Any

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from contactpoint.accounts import service, tokens
from contactpoint.accounts.deps import actor_for_user
from contactpoint.accounts.models import ApiToken, Organisation, User
from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.config import Settings, get_settings
from contactpoint.reports.models import Report

PASSWORD = "correct horse battery staple"
_seq = itertools.count(1)


def make_org(
    session: Session, name: str | None = None, kind: str = "law-enforcement", country: str = "FR"
) -> Organisation:
    return service.create_organisation(session, SYSTEM, name or f"Org {next(_seq)}", kind, country)


def make_user(
    session: Session,
    org: Organisation | None = None,
    roles: list[str] | None = None,
    email: str | None = None,
    password: str = PASSWORD,
) -> User:
    org = org or make_org(session)
    email = email or f"user{next(_seq)}@example.org"
    return service.create_user(session, SYSTEM, email, org, roles or ["analyst"], password)


def make_token(
    session: Session, user: User, permissions: list[str], expires_days: int | None = None
) -> tuple[ApiToken, str]:
    return tokens.create_token(
        session,
        SYSTEM,
        org=user.organisation,
        user=user,
        name="test token",
        permissions=permissions,
        expires_days=expires_days,
    )


def enrol_totp(session: Session, user: User) -> str:
    """A confirmed TOTP device; returns the secret for pyotp.TOTP(secret).now()."""
    secret = service.begin_totp_enrolment(session, SYSTEM, user)
    user.totp_confirmed = True
    session.flush()
    return secret


def use_cli_settings(monkeypatch: pytest.MonkeyPatch, settings: Settings) -> None:
    """Point `contactpoint ...` commands run in-process (CliRunner) at the test database."""
    monkeypatch.setenv("CONTACTPOINT_VAR_DIR", str(settings.var_dir))
    monkeypatch.setenv("CONTACTPOINT_DATABASE_URL", settings.effective_database_url)
    monkeypatch.setenv("CONTACTPOINT_KEY_FILE", str(settings.effective_key_file))
    get_settings.cache_clear()


def csrf_of(html: str) -> str:
    found = re.search(r'name="csrf_token" value="([^"]+)"', html)
    assert found, "the page has no CSRF field"
    return found.group(1)


def login(
    client: TestClient, email: str, password: str = PASSWORD, totp_secret: str | None = None
) -> None:
    """Sign a TestClient in through the real pages (and the TOTP step when given)."""
    page = client.get("/login")
    resp = client.post(
        "/login",
        data={"csrf_token": csrf_of(page.text), "email": email, "password": password},
        follow_redirects=False,
    )
    assert resp.status_code == 303, resp.text
    if totp_secret is not None:
        assert resp.headers["location"].startswith("/login/mfa")
        page = client.get("/login/mfa")
        resp = client.post(
            "/login/mfa",
            data={"csrf_token": csrf_of(page.text), "code": pyotp.TOTP(totp_secret).now()},
            follow_redirects=False,
        )
        assert resp.status_code == 303, resp.text


def post_form(client: TestClient, page_url: str, url: str, data: dict[str, object]):  # type: ignore[no-untyped-def]
    """GET a page for its CSRF token, then POST the form to ``url``."""
    page = client.get(page_url)
    assert page.status_code == 200, page.text
    return client.post(url, data={"csrf_token": csrf_of(page.text), **data}, follow_redirects=False)


# --- reports ------------------------------------------------------------------------------


def actor_of(user: User) -> Actor:
    """The Actor a signed-in user acts as (same as the login and token paths build)."""
    return actor_for_user(user, user.organisation)


def bearer(token: str) -> dict[str, str]:
    return {"Authorization": f"Bearer {token}"}


def report_data(**overrides: object) -> dict[str, object]:
    """A valid report in the API/JSONL schema; override any field."""
    data: dict[str, object] = {
        "crime_kind": "fraud",
        "victim_country": "FR",
        "victim_type": "person",
        "occurred_at": "2026-03-01T10:00:00Z",
        "description": "I paid 450 euros for a sofa on a classifieds site and never got it. "
        "The seller stopped answering.",
        "loss_amount": "450.00",
        "loss_currency": "EUR",
        "payment_method": "bank-transfer",
        "suspect_identifiers": [{"type": "iban", "value": "FR7630006000011234567890189"}],
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def make_report(
    session: Session, actor: Actor, *, source: str = "api", **overrides: object
) -> Report:
    """A stored report submitted by ``actor`` (an organisation's user or SYSTEM)."""
    from contactpoint.reports import service as reports
    from contactpoint.reports.models import Source
    from contactpoint.reports.schemas import ReportIn

    data = ReportIn.model_validate(report_data(**overrides))
    return reports.submit(session, actor, data, source=Source(source)).report


def linked_iban_report(
    session: Session, actor: Actor, country: str, iban: str, tlp: str = "AMBER"
) -> Report:
    """A report of a victim in ``country`` who paid ``iban``, linked into campaigns at once."""
    from contactpoint.correlation import service as campaigns

    r = make_report(
        session,
        actor,
        victim_country=country,
        suspect_identifiers=[{"type": "iban", "value": iban}],
        description=f"Paid a fake seller by bank transfer; victim in {country}, details private.",
        tlp=tlp,
    )
    campaigns.link_reports(session, [r.id])
    return r


# --- cases --------------------------------------------------------------------------------


def make_case(
    session: Session, actor: Actor, *, title: str = "Classifieds fraud ring", **overrides: object
):  # type: ignore[no-untyped-def]
    """A case opened by ``actor`` (who needs cases:manage) through the service."""
    from contactpoint.cases import service as cases
    from contactpoint.cases.schemas import CaseIn

    data = CaseIn.model_validate({"title": title, **overrides})
    return cases.create_case(session, actor, data)


def evidence_form(**overrides: str) -> dict[str, str]:
    """The acquisition details that go with an evidence upload (multipart form fields)."""
    data = {
        "acquired_by": "Insp. Martin",
        "acquisition_method": "export from the victim's mailbox",
        "source": "victim's e-mail account",
        "acquired_at": "2026-03-02T09:30:00Z",
        "description": "phishing e-mail with headers",
    }
    data.update(overrides)
    return data


# --- indicators ---------------------------------------------------------------------------

# A Visa test number (Luhn-valid): it must never reach the database or the logs in full.
CARD = "4111 1111 1111 1111"
FRAUD_TEXT = (
    "He told me to pay to DE89 3704 0044 0532 0130 00 and the site was "
    "hxxps://paypa1-secure[.]net; I also gave my card " + CARD + ". Check google.com."
)


def indicator_links_of(session: Session, report_id: object) -> set[tuple[str, str]]:
    """(type, field) of every indicator linked to a report."""
    from sqlalchemy import select

    from contactpoint.indicators.models import Indicator, ReportIndicator

    rows = session.execute(
        select(Indicator.type, ReportIndicator.field)
        .join(ReportIndicator, ReportIndicator.indicator_id == Indicator.id)
        .where(ReportIndicator.report_id == report_id)
    )
    return {(t, f) for t, f in rows}


# --- cooperation --------------------------------------------------------------------------

ART29_FIELDS = {
    "requesting_authority": "Police nationale, cyber unit, Paris",
    "offence_and_facts": "Computer-related fraud (ETS 185 Art. 8): fake shop, 40 victims.",
    "data_and_relation": "Subscriber and log-in data of the shop's hosting account.",
    "custodian_or_location": "Nordnetz ISP, Frankfurt",
    "necessity": "Logs are deleted after 30 days.",
    "mla_intent": "A mutual assistance request will follow within 30 days.",
}


def coop_pair(session: Session) -> tuple[User, User]:
    """A French and a German contact-point officer, each in their police unit; the directory
    routes requests for FR and DE to those units."""
    from contactpoint.cooperation import directory

    fr = make_user(session, make_org(session, country="FR"), ["contact-point-officer"])
    de = make_user(session, make_org(session, country="DE"), ["contact-point-officer"])
    directory.ensure_seeded(session)
    directory.get_entry(session, "FR").contact_point_org_id = fr.organisation_id
    directory.get_entry(session, "DE").contact_point_org_id = de.organisation_id
    session.flush()
    return fr, de


def make_coop_request(
    session: Session,
    sender: User,
    receiver: User,
    *,
    type_code: str = "preservation-mla",
    send: bool = True,
    **overrides: object,
):  # type: ignore[no-untyped-def]
    from contactpoint.cooperation import service as coop
    from contactpoint.cooperation.schemas import RequestIn

    data: dict[str, object] = {
        "type_code": type_code,
        "subject": "Fake shop hosted in Germany",
        "receiving_org_id": receiver.organisation_id,
        "fields": dict(ART29_FIELDS) if type_code == "preservation-mla" else {},
        "send": send,
    }
    data.update(overrides)
    return coop.create(session, actor_of(sender), RequestIn.model_validate(data))


# --- blocking -----------------------------------------------------------------------------


def block_entry(**overrides: object) -> dict[str, object]:
    """A valid blocklist entry (API body and service input); override any field."""
    data: dict[str, object] = {
        "kind": "domain",
        "value": "fake-shop.com",
        "category": "fraud",
        "legal_basis": "Loi 2004-575 art. 6-1",
        "decision_reference": "OCLCTIC-2026-0042",
        "redress_text": "You may appeal to the administrative court of Paris within two months.",
        "redress_url": "https://redress.example.org/appeal",
    }
    data.update(overrides)
    return data


def blocking_users(session: Session, country: str = "FR") -> tuple[User, User]:
    """The national authority's officer and an ISP operator, both in ``country``."""
    authority = make_user(
        session,
        make_org(session, kind="law-enforcement", country=country),
        ["contact-point-officer"],
    )
    isp = make_user(session, make_org(session, kind="isp", country=country), ["provider-operator"])
    return authority, isp


def queued_job_args(s: Session, name: str) -> list[dict[str, Any]]:
    """The arguments of the jobs queued under ``name``, from either backend's queue."""
    if s.get_bind().dialect.name == "postgresql":
        sql = "SELECT args FROM procrastinate_jobs WHERE task_name = :name"
    else:
        sql = "SELECT args FROM job_queue WHERE name = :name"
    return [
        json.loads(args) if isinstance(args, str) else args
        for (args,) in s.execute(text(sql), {"name": name})
    ]
