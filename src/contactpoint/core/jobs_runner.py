"""The job runner: claims queued jobs from ``job_queue`` (SQLite) and runs each in its own
transaction, with retries; on PostgreSQL it runs procrastinate in short bursts instead.

``JobRunner`` is what the web process starts in a thread when ``jobs_in_process`` is on, and
what ``contactpoint worker`` runs in the foreground on SQLite.
"""

from __future__ import annotations

import logging
import threading
import traceback
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from croniter import croniter
from sqlalchemy import select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import jobs
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction, utcnow
from contactpoint.core.jobs_models import JobStatus, QueuedJob

log = logging.getLogger(__name__)

RETRY_DELAY = timedelta(seconds=30)  # times the attempt number: 30 s, 60 s, 90 s ...
STALLED_AFTER = timedelta(hours=1)  # a RUNNING job this old lost its runner (crash, kill)


@dataclass(frozen=True)
class Claimed:
    id: int
    name: str
    args: dict[str, Any]
    attempts: int
    max_attempts: int


def claim(factory: sessionmaker[Session]) -> Claimed | None:
    """Mark the oldest due job RUNNING and return it; its own short transaction."""
    now = utcnow()
    with transaction(factory) as s:
        row = s.scalars(
            select(QueuedJob)
            .where(QueuedJob.status == JobStatus.QUEUED, QueuedJob.run_after <= now)
            .order_by(QueuedJob.run_after, QueuedJob.id)
            .limit(1)
            .with_for_update(skip_locked=True)
        ).first()
        if row is None:
            return None
        row.status = JobStatus.RUNNING
        row.attempts += 1
        row.started_at = now
        return Claimed(row.id, row.name, dict(row.args or {}), row.attempts, row.max_attempts)


def execute(factory: sessionmaker[Session], claimed: Claimed) -> bool:
    """Run one claimed job; its effect and its DONE mark commit together or not at all."""
    try:
        spec = jobs.get(claimed.name)
        with transaction(factory) as s:
            spec.func(s, **claimed.args)
            s.execute(
                update(QueuedJob)
                .where(QueuedJob.id == claimed.id)
                .values(status=JobStatus.DONE, finished_at=utcnow(), last_error=None)
            )
        return True
    except Exception as exc:
        log.exception("job %s (#%s) failed", claimed.name, claimed.id)
        error = "".join(traceback.format_exception_only(exc)).strip()[:4000]
        retry = claimed.attempts < claimed.max_attempts
        with transaction(factory) as s:
            s.execute(
                update(QueuedJob)
                .where(QueuedJob.id == claimed.id)
                .values(
                    status=JobStatus.QUEUED if retry else JobStatus.FAILED,
                    run_after=utcnow() + RETRY_DELAY * claimed.attempts,
                    finished_at=None if retry else utcnow(),
                    last_error=error,
                )
            )
        return False


def run_pending(factory: sessionmaker[Session], *, limit: int | None = None) -> int:
    """Run due jobs one after the other until none is due (or ``limit``); returns the count."""
    done = 0
    while limit is None or done < limit:
        claimed = claim(factory)
        if claimed is None:
            break
        execute(factory, claimed)
        done += 1
    return done


def requeue_stalled(factory: sessionmaker[Session]) -> int:
    """Give RUNNING jobs whose runner died (no finish after STALLED_AFTER) another go."""
    with transaction(factory) as s:
        result = s.execute(
            update(QueuedJob)
            .where(
                QueuedJob.status == JobStatus.RUNNING,
                QueuedJob.started_at < utcnow() - STALLED_AFTER,
            )
            .values(status=JobStatus.QUEUED, last_error="runner stopped while running")
        )
        return int(result.rowcount or 0)  # type: ignore[attr-defined]


def enqueue_periodic(factory: sessionmaker[Session], since: datetime, now: datetime) -> int:
    """Queue each cron job whose latest fire time falls in (since, now].

    The dedupe key makes this safe when several runners share one database.
    """
    queued = 0
    for spec in jobs.discover().values():
        if spec.cron is None:
            continue
        fire: datetime = croniter(spec.cron, now).get_prev(datetime)
        if fire <= since:
            continue
        try:
            with transaction(factory) as s:
                s.add(
                    QueuedJob(
                        name=spec.name,
                        args={},
                        max_attempts=spec.retries + 1,
                        run_after=fire,
                        dedupe_key=f"{spec.name}@{fire.isoformat()}",
                    )
                )
            queued += 1
        except IntegrityError:
            pass  # another runner queued this run already
    return queued


class JobRunner:
    """Poll loop: queue periodic jobs, run due ones, sleep ``poll_seconds``; stop on request."""

    def __init__(
        self, settings: Settings, factory: sessionmaker[Session], poll_seconds: float | None = None
    ) -> None:
        self.settings = settings
        self.factory = factory
        self.poll_seconds = poll_seconds if poll_seconds is not None else settings.job_poll_seconds
        self._stop = threading.Event()
        self._wake = threading.Event()
        self._thread: threading.Thread | None = None
        self._since = utcnow()

    def poll_once(self) -> int:
        if not self.settings.is_sqlite:
            from contactpoint.core import jobs_pg

            jobs_pg.run_worker(
                self.settings, self.factory, wait=False, install_signal_handlers=False
            )
            return 0
        now = utcnow()
        enqueue_periodic(self.factory, self._since, now)
        self._since = now
        return run_pending(self.factory)

    def run_forever(self) -> None:
        started = False
        while not self._stop.is_set():
            try:
                if not started:
                    jobs.discover()
                    if self.settings.is_sqlite:
                        requeue_stalled(self.factory)
                    started = True
                self.poll_once()
            except Exception:  # keep the loop alive (and the web process up); retry next poll
                log.exception("job runner poll failed")
            self._wake.wait(self.poll_seconds)
            self._wake.clear()

    def wake(self) -> None:
        """Poll now instead of at the end of the interval."""
        self._wake.set()

    def start(self) -> None:
        self._thread = threading.Thread(
            target=self.run_forever, name="contactpoint-jobs", daemon=True
        )
        self._thread.start()

    def stop(self, timeout: float = 30.0) -> None:
        self._stop.set()
        self._wake.set()
        if self._thread is not None:
            self._thread.join(timeout)
            self._thread = None
