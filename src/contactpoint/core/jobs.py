"""Background jobs: a registry of plain functions and ``defer`` to queue them.

A job is a function ``(session, **kwargs)`` registered with :func:`job`. It never commits:
the runner gives each run its own transaction and commits once at the end, or rolls back
and records the error (ADR 0002). Arguments must be JSON values.

Where jobs run (ADR 0004):

- SQLite: :func:`defer` inserts a row in ``job_queue`` in the caller's transaction; the web
  process runs them in a thread (``core/jobs_runner.py``), or ``contactpoint worker`` does.
- PostgreSQL: :func:`defer` inserts a procrastinate job in the caller's transaction, and
  ``contactpoint worker`` processes, on any number of machines, run them
  (``core/jobs_pg.py``).

Either way a job queued by a request that rolls back is never run.

Each area registers its jobs in ``<area>/jobs.py``; :func:`discover` imports them all.
"""

from __future__ import annotations

import importlib
import json
import pkgutil
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy.orm import Session

import contactpoint
from contactpoint.core.db import utcnow

F = TypeVar("F", bound=Callable[..., Any])

# Core's own jobs; areas use <area>/jobs.py.
CORE_JOB_MODULES = ["contactpoint.core.jobs_audit"]


@dataclass(frozen=True)
class JobSpec:
    name: str
    func: Callable[..., Any]
    retries: int  # further attempts after a failed one
    cron: str | None  # periodic schedule, five-field cron in UTC, or None


REGISTRY: dict[str, JobSpec] = {}


def job(name: str, *, retries: int = 2, cron: str | None = None) -> Callable[[F], F]:
    """Register ``func(session, **kwargs)`` as the job ``name`` (e.g. ``"audit.verify"``)."""
    if cron is not None:
        from croniter import croniter

        if not croniter.is_valid(cron):
            raise ValueError(f"job {name!r}: invalid cron expression {cron!r}")

    def decorator(func: F) -> F:
        known = REGISTRY.get(name)
        if known is not None and known.func.__qualname__ != func.__qualname__:
            raise ValueError(f"job name {name!r} is already registered by {known.func}")
        REGISTRY[name] = JobSpec(name, func, retries, cron)
        return func

    return decorator


def discover() -> dict[str, JobSpec]:
    """Import core's job modules and every ``contactpoint.<area>.jobs`` so all are known."""
    for module in CORE_JOB_MODULES:
        importlib.import_module(module)
    for mod in pkgutil.iter_modules(contactpoint.__path__):
        if not mod.ispkg:
            continue
        name = f"contactpoint.{mod.name}.jobs"
        try:
            importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name != name:
                raise
    return REGISTRY


def get(name: str) -> JobSpec:
    if name not in REGISTRY:
        discover()
    try:
        return REGISTRY[name]
    except KeyError:
        known = ", ".join(sorted(REGISTRY)) or "none"
        raise LookupError(f"no job is registered as {name!r} (known: {known})") from None


def defer(session: Session, name: str, *, run_after: datetime | None = None, **kwargs: Any) -> None:
    """Queue job ``name`` with ``kwargs`` inside the caller's transaction.

    The job becomes visible to runners only when that transaction commits, and vanishes
    with it on rollback. ``run_after`` (UTC-aware) delays it.
    """
    spec = get(name)
    try:
        json.dumps(kwargs)
    except TypeError as exc:
        raise TypeError(f"job {name!r}: arguments must be JSON values ({exc})") from None
    if run_after is not None and run_after.tzinfo is None:
        raise ValueError("run_after must be timezone-aware UTC")
    if session.get_bind().dialect.name == "postgresql":
        from contactpoint.core import jobs_pg

        jobs_pg.defer_in_session(session, spec.name, kwargs, run_after)
        return
    from contactpoint.core.jobs_models import QueuedJob

    session.add(
        QueuedJob(
            name=spec.name,
            args=kwargs,
            max_attempts=spec.retries + 1,
            run_after=run_after or utcnow(),
        )
    )
    session.flush()


def run_now(session: Session, name: str, **kwargs: Any) -> Any:
    """Run a job at once in the caller's session and transaction (tests, one-off runs)."""
    return get(name).func(session, **kwargs)
