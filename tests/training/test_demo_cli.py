"""`contactpoint demo` against the test database: logins, reports, reset rules."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.cli import app
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.reports.models import Report, Source, Status
from factories import use_cli_settings

runner = CliRunner()


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    use_cli_settings(monkeypatch, settings)
    yield lambda *args: runner.invoke(app, list(args))


def counts(factory: sessionmaker[Session]) -> tuple[int, set[Source], set[Status], set[str]]:
    with transaction(factory) as s:
        n = s.scalar(select(func.count()).select_from(Report)) or 0
        sources = set(s.scalars(select(Report.source).distinct()))
        statuses = set(s.scalars(select(Report.status).distinct()))
        countries = set(s.scalars(select(Report.victim_country).distinct()))
    return n, sources, statuses, countries


def test_demo_loads_reports_and_prints_logins(cli, factory: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    result = cli("demo", "--reports", "60")
    assert result.exit_code == 0, result.output
    assert "60 reports loaded" in result.output
    assert "analyst.fr@demo.contactpoint.eu" in result.output
    assert "CONTACTPOINTDEMOADMINTOTPSECRETA" in result.output  # the admin must use TOTP
    assert "http://127.0.0.1:8000" in result.output
    n, sources, statuses, countries = counts(factory)
    assert n == 60
    assert Source.CITIZEN in sources and len(sources) >= 2
    assert Status.NEW in statuses and len(statuses) >= 2  # some were triaged
    assert len(countries) >= 4

    again = cli("demo", "--reports", "60")
    assert again.exit_code == 0 and "already holds 60 reports" in again.output
    assert counts(factory)[0] == 60


def test_reset_refuses_postgresql_without_yes(
    cli,
    settings: Settings,  # type: ignore[no-untyped-def]
    factory: sessionmaker[Session],
) -> None:
    cli("demo", "--reports", "3")
    result = cli("demo", "--reset", "--reports", "2")
    if settings.is_sqlite:
        assert result.exit_code == 0, result.output
        assert counts(factory)[0] == 2  # the old database is gone
    else:
        assert result.exit_code == 2 and "--yes" in result.output
        assert counts(factory)[0] == 3  # nothing was dropped
