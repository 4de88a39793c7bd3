"""Intake stores indicators and links on every path; no full card number reaches the
database or the logs; warninglisted indicators do not link; re-extraction is idempotent."""

from __future__ import annotations

import json
import logging
import re
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import String, Text, func, inspect, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.core.actor import PUBLIC
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.indicators import cards
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports.bulk import import_file
from contactpoint.reports.models import Report
from factories import (
    CARD,
    FRAUD_TEXT,
    actor_of,
    bearer,
    indicator_links_of,
    make_org,
    make_report,
    make_token,
    make_user,
    report_data,
    use_cli_settings,
)

CARD_RUN = re.compile(r"(?<![0-9A-Za-z])\d(?:[ \-]?\d){12,18}(?![0-9A-Za-z])")
HEX = re.compile(r"(?<![0-9A-Za-z])[0-9a-fA-F\-]{32,}(?![0-9A-Za-z])")
INPUT_CARDS = [
    CARD,
    "5555-5555-5555-4444",
    "4012 8888 8888 1881",
    "378282246310005",
    "5105 1051 0510 5100",
]


def luhn_runs(value: str) -> list[str]:
    """Standalone Luhn-valid 13-19 digit runs, and any input card's digits anywhere."""
    out = []
    # UUIDs and digests ([0-9a-f-]{32,}) hold digit runs that pass Luhn by chance.
    for m in CARD_RUN.finditer(HEX.sub(" ", value)):
        digits = re.sub(r"\D", "", m.group())
        if digits[0] != "0" and cards.luhn_ok(digits):
            out.append(digits)
    flat = re.sub(r"[ \-]", "", value)
    out += [c for c in INPUT_CARDS if re.sub(r"\D", "", c) in flat]
    return out


def every_text_value(session: Session) -> list[str]:
    """Every string in every text-like column of every table."""
    found: list[str] = []
    insp = inspect(session.connection())
    for table in insp.get_table_names():
        for col in insp.get_columns(table):
            if isinstance(col["type"], String | Text) or "JSON" in str(col["type"]).upper():
                q = text(f'SELECT "{col["name"]}" FROM "{table}"')  # noqa: S608 (names from schema)
                for (v,) in session.execute(q):
                    if v is not None:
                        found.append(v if isinstance(v, str) else json.dumps(v))
    return found


@pytest.fixture
def analyst(factory: sessionmaker[Session]):  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        org = make_org(s, "Police FR", "law-enforcement", "FR")
        return actor_of(make_user(s, org, ["analyst"]))


def test_api_intake_stores_indicators_and_links(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        user = make_user(s, make_org(s, "Bank", "bank", "FR"), ["analyst"])
        _, token = make_token(s, user, ["reports:submit"])
    body = report_data(
        description=FRAUD_TEXT,
        suspect_identifiers=[
            {"type": "phone", "value": "06 12 34 56 78"},
            {"type": "crypto-wallet", "value": "bc1qar0srrr7xfkvy5l643lydnw9re59gtzzwf5mdq"},
        ],
    )
    resp = client.post("/api/v1/reports", json=body, headers=bearer(token))
    assert resp.status_code == 201, resp.text
    with transaction(factory) as s:
        links = indicator_links_of(s, __import__("uuid").UUID(resp.json()["id"]))
        iban = s.scalars(select(Indicator).where(Indicator.type == "iban")).one()
        card = s.scalars(select(Indicator).where(Indicator.type == "card")).one()
        assert iban.value is None and iban.value_encrypted == "DE89370400440532013000"
        assert card.card_bin == "411111" and card.display == "411111…1111"
        assert card.token and card.report_count == 1
    assert {
        ("iban", "description"),
        ("card", "description"),
        ("url", "description"),
        ("domain", "description"),
        ("phone", "suspect_identifiers"),
        ("btc", "suspect_identifiers"),
    } <= links


def test_no_full_card_number_in_database_or_logs(
    factory: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
    caplog: pytest.LogCaptureFixture,
    analyst,  # type: ignore[no-untyped-def]
) -> None:
    caplog.set_level(logging.DEBUG)
    with transaction(factory) as s:
        make_report(  # the citizen form's path
            s,
            PUBLIC,
            source="citizen",
            description="card 5555-5555-5555-4444 stolen " + FRAUD_TEXT,
            suspect_identifiers=[{"type": "card", "value": "4012 8888 8888 1881"}],
        )
        make_report(  # the API's path
            s,
            analyst,
            description="Amex 378282246310005 and " + FRAUD_TEXT,
            suspect_identifiers=[{"type": "other", "value": "card " + CARD}],
        )
    with transaction(factory) as s:
        from contactpoint.reports import triage

        first = s.scalars(select(Report)).first()
        assert first is not None
        triage.add_note(s, analyst, first.id, "victim read me the card: " + CARD)
    path = tmp_path / "bank.jsonl"
    rows = [
        report_data(description=f"row {i}: Mastercard 5105 1051 0510 5100 " + FRAUD_TEXT)
        for i in range(3)
    ]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n", encoding="utf-8")
    summary = import_file(factory, settings, analyst, path, batch_size=2)
    assert summary.accepted == 3
    with transaction(factory) as s:
        assert (
            s.scalar(select(func.count()).select_from(Indicator).where(Indicator.type == "card"))
            == 5
        )
        leaked = [v for v in every_text_value(s) if luhn_runs(v)]
    assert leaked == []
    assert luhn_runs(caplog.text) == []


def test_bulk_import_links_indicators_per_batch(
    factory: sessionmaker[Session],
    settings: Settings,
    tmp_path: Path,
    analyst,  # type: ignore[no-untyped-def]
) -> None:
    path = tmp_path / "r.jsonl"
    lines = [json.dumps(report_data(description=f"{i}: " + FRAUD_TEXT)) for i in range(5)]
    lines.insert(2, json.dumps(report_data(loss_currency=None, description="bad row")))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    summary = import_file(factory, settings, analyst, path, batch_size=2)
    assert (summary.accepted, summary.rejected) == (5, 1)
    with transaction(factory) as s:
        url = s.scalars(select(Indicator).where(Indicator.type == "url")).one()
        assert url.value == "https://paypa1-secure.net/"
        assert url.report_count == 5


def test_warninglisted_indicator_does_not_link(db: Session, analyst) -> None:  # type: ignore[no-untyped-def]
    from contactpoint.reports import indicator_links

    a = make_report(db, analyst, description="Fake support said to search google.com first.")
    make_report(db, analyst, description="They told me google.com would refund me.")
    db.commit()
    google = db.scalars(select(Indicator).where(Indicator.value == "google.com")).one()
    assert google.warninglisted and google.warninglist
    assert ("domain", "description") in indicator_links_of(db, a.id)  # kept for highlighting
    assert indicator_links.related_reports(db, analyst, google) == []


def test_reextract_is_idempotent(
    factory: sessionmaker[Session],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
    analyst,  # type: ignore[no-untyped-def]
) -> None:
    from contactpoint.cli import app

    with transaction(factory) as s:
        for i in range(3):
            make_report(s, analyst, description=f"{i} " + FRAUD_TEXT)

    def counts() -> tuple[int, int, list[int]]:
        with transaction(factory) as s:
            return (
                s.scalar(select(func.count()).select_from(Indicator)) or 0,
                s.scalar(select(func.count()).select_from(ReportIndicator)) or 0,
                sorted(s.scalars(select(Indicator.report_count))),
            )

    before = counts()
    use_cli_settings(monkeypatch, settings)
    runner = CliRunner()
    first = runner.invoke(app, ["indicators", "reextract", "--batch-size", "2"])
    assert first.exit_code == 0, first.output
    assert counts() == before  # cards stay linked though the text holds only BIN…last4
    second = runner.invoke(app, ["indicators", "reextract"])
    assert second.exit_code == 0, second.output
    assert counts() == before
    assert "3 reports" in second.output


def test_concurrent_intakes_share_one_indicator_row(
    factory: sessionmaker[Session],
    analyst,  # type: ignore[no-untyped-def]
) -> None:
    from concurrent.futures import ThreadPoolExecutor

    def submit(i: int) -> None:
        with transaction(factory) as s:
            make_report(s, analyst, description=f"{i}: " + FRAUD_TEXT)

    with ThreadPoolExecutor(max_workers=4) as pool:
        list(pool.map(submit, range(8)))
    with transaction(factory) as s:
        rows = list(s.scalars(select(Indicator).where(Indicator.type.in_(["url", "iban"]))))
        # one URL and two IBANs (description and suspect identifier), each in all 8 reports
        assert sorted((r.type, r.report_count) for r in rows) == [
            ("iban", 8),
            ("iban", 8),
            ("url", 8),
        ]
