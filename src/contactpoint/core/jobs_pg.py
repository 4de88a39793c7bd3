"""Jobs on PostgreSQL through procrastinate (ADR 0004).

The registry in ``core/jobs.py`` is turned into procrastinate tasks here. Each task opens
its own SQLAlchemy transaction and commits once (ADR 0002). Deferring writes straight into
procrastinate's table through the caller's session, so the job exists only if the caller
commits.
"""

from __future__ import annotations

import asyncio
import json
import threading
from datetime import datetime
from typing import Any

import procrastinate
from sqlalchemy import Connection, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import jobs
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction

QUEUE = "default"
SCHEMA_LOCK = 7243002  # advisory lock id: two `init`s at once apply the schema once

_DEFER = text(
    "SELECT procrastinate_defer_jobs_v1(ARRAY[CAST(ROW(:queue, :task, 0, NULL, NULL, "
    "CAST(:args AS jsonb), CAST(:at AS timestamptz)) AS procrastinate_job_to_defer_v1)])"
)


def defer_in_session(
    session: Session, name: str, kwargs: dict[str, Any], run_after: datetime | None
) -> None:
    session.execute(
        _DEFER, {"queue": QUEUE, "task": name, "args": json.dumps(kwargs), "at": run_after}
    )


def ensure_schema(conn: Connection) -> bool:
    """Create procrastinate's tables and functions when absent; returns whether it did.

    Runs in the migration transaction, so a failed ``init`` leaves nothing half-made.
    """
    conn.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": SCHEMA_LOCK})
    if conn.execute(text("SELECT to_regclass('procrastinate_jobs')")).scalar() is not None:
        return False
    raw = conn.connection.driver_connection
    assert raw is not None
    # The raw psycopg connection: no parameter parsing, and several statements at once.
    raw.execute(procrastinate.schema.SchemaManager.get_schema())
    return True


def conninfo(settings: Settings) -> str:
    url = make_url(settings.effective_database_url).set(drivername="postgresql")
    return url.render_as_string(hide_password=False)


def _task_body(spec: jobs.JobSpec, factory: sessionmaker[Session]) -> Any:
    def run(**kwargs: Any) -> None:
        kwargs.pop("timestamp", None)  # procrastinate passes it to periodic tasks
        with transaction(factory) as session:
            spec.func(session, **kwargs)

    run.__name__ = run.__qualname__ = spec.name.replace(".", "_")
    return run


def make_app(settings: Settings, factory: sessionmaker[Session]) -> procrastinate.App:
    """A procrastinate App with one task per registered job (and its cron, if any)."""
    app = procrastinate.App(connector=procrastinate.PsycopgConnector(conninfo=conninfo(settings)))
    for spec in jobs.discover().values():
        retry: Any = (
            procrastinate.RetryStrategy(max_attempts=spec.retries, linear_wait=30)
            if spec.retries
            else False
        )
        task = app.task(name=spec.name, queue=QUEUE, retry=retry, pass_context=False)(
            _task_body(spec, factory)
        )
        if spec.cron:
            app.periodic(cron=spec.cron, periodic_id=spec.name)(task)
    return app


def run_worker(
    settings: Settings,
    factory: sessionmaker[Session],
    *,
    wait: bool = True,
    install_signal_handlers: bool = True,
    concurrency: int | None = None,
) -> None:
    """Run a procrastinate worker; ``wait=False`` returns once the queue is empty."""
    app = make_app(settings, factory)

    def work() -> None:
        app.run_worker(
            queues=[QUEUE],
            wait=wait,
            concurrency=concurrency or settings.worker_concurrency,
            install_signal_handlers=install_signal_handlers,
            listen_notify=wait,
            delete_jobs="successful",
        )

    try:
        asyncio.get_running_loop()
    except RuntimeError:
        work()
        return
    # A caller already inside an event loop (an embedding app, a sync Playwright session in
    # the same thread) cannot asyncio.run() again: give the worker a thread of its own.
    errors: list[BaseException] = []

    def in_thread() -> None:
        try:
            work()
        except BaseException as exc:  # re-raised in the caller below
            errors.append(exc)

    thread = threading.Thread(target=in_thread, name="procrastinate-worker")
    thread.start()
    thread.join()
    if errors:
        raise errors[0]
