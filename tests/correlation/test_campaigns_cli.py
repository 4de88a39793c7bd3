"""`contactpoint campaigns list|show|exclude|include|lift` in-process against the test
database: users see what the API shows them; the operator (no --as) lifts what no single
analyst may."""

from __future__ import annotations

import json
from collections.abc import Iterator

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.cli import app
from contactpoint.core.audit import AuditEntry
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.correlation import service as campaigns
from contactpoint.correlation.models import CampaignMember
from contactpoint.indicators.models import Indicator
from factories import actor_of, make_org, make_report, make_user, use_cli_settings

IBAN = "FR7630006000011234567890189"


@pytest.fixture
def world(
    factory: sessionmaker[Session], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> Iterator[dict[str, str]]:
    """One IBAN held by a French report and two German ones, past a cap of 2: it stops
    linking, and the French analyst cannot see the German reports."""
    monkeypatch.setenv("CONTACTPOINT_CORRELATION_MAX_CAMPAIGNS", "2")
    use_cli_settings(monkeypatch, settings)
    capped = settings.model_copy(update={"correlation_max_campaigns": 2})
    with transaction(factory) as s:
        s.info["settings"] = capped
        fr = actor_of(make_user(s, make_org(s, "Police FR", "law-enforcement", "FR"), ["analyst"]))
        de = actor_of(make_user(s, make_org(s, "Polizei DE", "law-enforcement", "DE"), ["analyst"]))
        ids = [{"type": "iban", "value": IBAN}]
        made = [make_report(s, fr, victim_country="FR", suspect_identifiers=ids)]
        made += [make_report(s, de, victim_country="DE", suspect_identifiers=ids) for _ in "ab"]
        campaigns.link_reports(s, [r.id for r in made])
        iban = s.scalars(select(Indicator).where(Indicator.type == "iban")).one()
        assert fr.label and de.label
        ids_ = {"fr": fr.label, "de": de.label, "iban": str(iban.id)}
    yield ids_


def test_the_operator_lifts_what_no_analyst_may(
    world: dict[str, str], factory: sessionmaker[Session]
) -> None:
    runner = CliRunner()
    assert json.loads(runner.invoke(app, ["campaigns", "list", "--json"]).output) == []

    refused = runner.invoke(
        app, ["campaigns", "lift", world["iban"], "--reason", "one mule", "--as", world["fr"]]
    )
    assert refused.exit_code == 2 and "not visible to you" in refused.output

    lifted = runner.invoke(
        app, ["campaigns", "lift", world["iban"], "--reason", "one mule account, checked"]
    )
    assert lifted.exit_code == 0, lifted.output
    with transaction(factory) as s:
        assert len(set(s.scalars(select(CampaignMember.campaign_id)))) == 1
        entry = s.scalars(
            select(AuditEntry).where(AuditEntry.action == "campaign.lift_over_correlation")
        ).one()
        assert entry.reason == "one mule account, checked" and entry.actor_label == "system"

    listed = json.loads(runner.invoke(app, ["campaigns", "list", "--json"]).output)
    assert [c["reports"] for c in listed] == [3]
    shown = json.loads(runner.invoke(app, ["campaigns", "show", listed[0]["id"], "--json"]).output)
    assert {m["country"] for m in shown["members"]} == {"FR", "DE"}
    assert shown["indicators"][0]["state"] == "lifted"
    # The German analyst sees their two reports of it, never the French one.
    as_de = runner.invoke(
        app, ["campaigns", "show", listed[0]["id"], "--json", "--as", world["de"]]
    )
    assert {m["country"] for m in json.loads(as_de.output)["members"]} == {"DE"}

    excluded = runner.invoke(
        app, ["campaigns", "exclude", world["iban"], "--reason", "shared by a payment provider"]
    )
    assert (
        excluded.exit_code == 0
        and json.loads(runner.invoke(app, ["campaigns", "list", "--json"]).output) == []
    )
    included = runner.invoke(app, ["campaigns", "include", world["iban"], "--reason", "mistake"])
    assert included.exit_code == 0, included.output


def test_bad_input_is_named(world: dict[str, str]) -> None:
    runner = CliRunner()
    bad_id = runner.invoke(app, ["campaigns", "lift", "IBAN-42", "--reason", "x"])
    assert bad_id.exit_code == 2 and "indicator 'IBAN-42' is not an id" in bad_id.output
    nobody = runner.invoke(app, ["campaigns", "list", "--as", "nobody@example.org"])
    assert nobody.exit_code == 2 and "no active user nobody@example.org" in nobody.output
    no_reason = runner.invoke(app, ["campaigns", "exclude", world["iban"], "--reason", " "])
    assert no_reason.exit_code == 2 and "reason" in no_reason.output
