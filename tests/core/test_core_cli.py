"""`contactpoint audit verify` and `contactpoint worker --burst` against the test database."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner, Result

from contactpoint.cli import app
from contactpoint.core import audit, jobs
from contactpoint.core.actor import SYSTEM
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import transaction
from factories import use_cli_settings

runner = CliRunner()


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch) -> Iterator[Callable[..., Result]]:
    use_cli_settings(monkeypatch, settings)
    yield lambda *args: runner.invoke(app, list(args))


def _append(factory: sessionmaker[Session], n: int) -> None:
    with transaction(factory) as s:
        for i in range(n):
            audit.record(s, SYSTEM, "test.write", object_id=i)


def test_audit_verify_intact_exits_0(
    cli: Callable[..., Result], factory: sessionmaker[Session]
) -> None:
    _append(factory, 4)
    result = cli("audit", "verify")
    assert result.exit_code == 0, result.output
    assert "audit log intact: 4 entries checked" in result.output


def test_audit_verify_names_the_updated_entry_and_exits_1(
    cli: Callable[..., Result], factory: sessionmaker[Session]
) -> None:
    _append(factory, 5)
    with transaction(factory) as s:
        s.execute(text("UPDATE audit_log SET object_id = '999' WHERE seq = 3"))
    result = cli("audit", "verify")
    assert result.exit_code == 1
    output = " ".join(result.output.split())  # rich wraps long lines
    assert "BROKEN at entry 3" in output
    assert "2 entries before it are intact" in output


def test_worker_burst_runs_queued_jobs_and_exits(
    cli: Callable[..., Result], factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as s:
        jobs.defer(s, "audit.verify")
    result = cli("worker", "--burst")
    assert result.exit_code == 0, result.output
    with transaction(factory) as s:
        actions = list(s.execute(text("SELECT action FROM audit_log")).scalars())
    assert actions == ["audit.verified"]


def test_worker_without_key_file_says_to_run_init(
    cli: Callable[..., Result], settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    missing = settings.var_dir / "nowhere" / "keys.json"
    monkeypatch.setenv("CONTACTPOINT_KEY_FILE", str(missing))
    get_settings.cache_clear()
    result = cli("worker", "--burst")
    assert result.exit_code == 1
    assert "run `contactpoint init`" in " ".join(result.output.split())
