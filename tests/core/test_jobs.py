"""Background jobs: deferred in the caller's transaction, run once committed, each run in
its own transaction; in the web process on SQLite, through procrastinate on PostgreSQL."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import audit, jobs, jobs_pg
from contactpoint.core.actor import SYSTEM
from contactpoint.core.audit import AuditEntry
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction, utcnow
from contactpoint.core.jobs_models import JobStatus, QueuedJob
from contactpoint.core.jobs_runner import enqueue_periodic, run_pending


@jobs.job("test.fails", retries=1)
def _always_fails(session: Session, label: str) -> None:
    audit.record(session, SYSTEM, "test.should_roll_back", details={"label": label})
    raise ValueError(f"boom {label}")


def _actions(factory: sessionmaker[Session]) -> list[str]:
    with transaction(factory) as s:
        return list(s.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def _run_queue(settings: Settings, factory: sessionmaker[Session]) -> None:
    """What `contactpoint worker --burst` does on either database."""
    if settings.is_sqlite:
        run_pending(factory)
    else:
        jobs_pg.run_worker(settings, factory, wait=False, install_signal_handlers=False)


def test_web_process_runs_deferred_job_on_sqlite(settings: Settings) -> None:
    if not settings.is_sqlite:
        pytest.skip("the web process runs jobs itself on SQLite only")
    from fastapi.testclient import TestClient

    from contactpoint.app import create_app

    app = create_app(settings.model_copy(update={"job_poll_seconds": 0.05}))
    factory = app.state.session_factory
    with TestClient(app):
        with transaction(factory) as s:
            audit.record(s, SYSTEM, "test.write")
            jobs.defer(s, "audit.verify")
        deadline = time.monotonic() + 10
        while "audit.verified" not in _actions(factory) and time.monotonic() < deadline:
            time.sleep(0.05)
    app.state.engine.dispose()
    assert _actions(factory) == ["test.write", "audit.verified"]
    with transaction(factory) as s:
        row = s.scalars(select(QueuedJob)).one()
        entry = s.scalars(select(AuditEntry).where(AuditEntry.seq == 2)).one()
    assert row.status == JobStatus.DONE and row.attempts == 1
    assert entry.details == {"checked": 1, "broken_seq": None, "problem": None}


def test_procrastinate_worker_runs_deferred_job_on_postgresql(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    if settings.is_sqlite:
        pytest.skip("procrastinate runs the jobs on PostgreSQL only")
    with transaction(factory) as s:
        jobs.defer(s, "audit.verify")
        queued = s.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar()
    assert queued == 1
    jobs_pg.run_worker(settings, factory, wait=False, install_signal_handlers=False)
    assert _actions(factory) == ["audit.verified"]
    with transaction(factory) as s:
        left = s.execute(text("SELECT count(*) FROM procrastinate_jobs")).scalar()
    assert left == 0  # done jobs are deleted; failed ones stay for inspection


def test_web_process_can_run_procrastinate_jobs_when_asked(settings: Settings) -> None:
    """CONTACTPOINT_RUN_JOBS_IN_PROCESS=true on PostgreSQL: a node with no worker service."""
    if settings.is_sqlite:
        pytest.skip("PostgreSQL only")
    from fastapi.testclient import TestClient

    from contactpoint.app import create_app

    app = create_app(
        settings.model_copy(update={"run_jobs_in_process": True, "job_poll_seconds": 0.1})
    )
    factory = app.state.session_factory
    with TestClient(app):
        with transaction(factory) as s:
            jobs.defer(s, "audit.verify")
        deadline = time.monotonic() + 20
        while "audit.verified" not in _actions(factory) and time.monotonic() < deadline:
            time.sleep(0.1)
    app.state.engine.dispose()
    assert _actions(factory) == ["audit.verified"]


def test_job_deferred_by_rolled_back_transaction_never_runs(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    with pytest.raises(RuntimeError), transaction(factory) as s:
        jobs.defer(s, "audit.verify")
        raise RuntimeError("the request failed")
    _run_queue(settings, factory)
    assert _actions(factory) == []


def test_failed_job_rolls_back_records_error_and_gives_up_after_retries(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    if not settings.is_sqlite:
        pytest.skip("the job_queue table is the SQLite queue")
    with transaction(factory) as s:
        jobs.defer(s, "test.fails", label="x1")
    assert run_pending(factory) == 1
    with transaction(factory) as s:
        row = s.scalars(select(QueuedJob)).one()
        assert (row.status, row.attempts) == (JobStatus.QUEUED, 1)
        assert row.last_error == "ValueError: boom x1"
        assert row.run_after > utcnow()  # retried later, not in a tight loop
        row.run_after = utcnow() - timedelta(seconds=1)
    assert run_pending(factory) == 1
    with transaction(factory) as s:
        row = s.scalars(select(QueuedJob)).one()
        assert (row.status, row.attempts) == (JobStatus.FAILED, 2)
    assert run_pending(factory) == 0
    assert _actions(factory) == []  # the failed runs' writes were rolled back


def test_verify_job_records_broken_chain(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        for i in range(3):
            audit.record(s, SYSTEM, "test.write", details={"i": i})
    with transaction(factory) as s:
        s.execute(text("UPDATE audit_log SET reason = 'edited' WHERE seq = 2"))
    with transaction(factory) as s:
        jobs.run_now(s, "audit.verify")
    with transaction(factory) as s:
        last = s.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert last.action == "audit.broken"
    assert last.details is not None and last.details["broken_seq"] == 2


def test_periodic_job_is_queued_once_per_fire_time(
    settings: Settings, factory: sessionmaker[Session]
) -> None:
    if not settings.is_sqlite:
        pytest.skip("procrastinate schedules periodic jobs on PostgreSQL")
    now = utcnow()
    assert enqueue_periodic(factory, now - timedelta(days=2), now) >= 1
    enqueue_periodic(factory, now - timedelta(days=2), now)  # a second runner, same instant
    with transaction(factory) as s:
        names = list(s.scalars(select(QueuedJob.name)))
    assert names.count("audit.verify") == 1
    run_pending(factory)
    assert _actions(factory) == ["audit.verified"]


def test_unknown_job_and_non_json_arguments_are_refused(db: Session) -> None:
    with pytest.raises(LookupError, match="no job is registered as 'nope'"):
        jobs.defer(db, "nope")
    with pytest.raises(TypeError, match="arguments must be JSON values"):
        jobs.defer(db, "test.fails", label=object())
