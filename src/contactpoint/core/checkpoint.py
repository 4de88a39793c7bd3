"""SQLite's write-ahead log, checkpointed in the background instead of at commit.

By default SQLite copies the log back into the database file (a checkpoint, with its
``fsync``) inside whichever commit pushes the log past 1,000 pages. That commit, a request
or a job like any other, then takes several times its usual time: about one commit in a
hundred on a busy contact point, which is the whole of its p99. Here a thread of the
engine's runs a ``PASSIVE`` checkpoint every ``interval`` seconds while the log is not
empty. A passive checkpoint waits for nobody: writers go on appending and readers go on
reading while it runs, and what it cannot copy yet (frames a reader still needs) it copies
next time. The thread's sqlite3 calls release the GIL, so the process goes on with its work.

The log is only reset (written from its start again) by a write that finds it wholly
copied, so a writer that never pauses, such as a bulk import, would outrun the thread and
grow the log without end. The at-commit checkpoint stays as the backstop for that: at
``BACKSTOP_PAGES`` rather than 1,000, which ordinary traffic, checkpointed every second,
never reaches. ``journal_size_limit`` truncates a log that grew to it once it is reset.
"""

from __future__ import annotations

import contextlib
import os
import sqlite3
import threading
import weakref
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Engine

BACKSTOP_PAGES = 16_384  # 64 MiB of 4 KiB pages: a commit past this checkpoints itself
WAL_LIMIT_BYTES = 64 * 1024 * 1024  # journal_size_limit: a reset log is truncated to this


class Checkpointer:
    """The daemon thread of one engine: started with the engine's first connection, stopped
    when the engine is disposed (and started again if it is used after that)."""

    def __init__(self, path: Path, interval: float) -> None:
        self.path = path
        self.interval = interval
        self.runs = 0  # checkpoints that copied something (for tests and diagnostics)
        self._lock = threading.Lock()
        self._stopped = threading.Event()
        self._thread: threading.Thread | None = None

    def ensure_running(self) -> None:
        with self._lock:
            if self._thread is not None and self._thread.is_alive():
                return
            self._stopped = threading.Event()
            self._thread = threading.Thread(
                target=self._loop,
                args=(self._stopped,),
                name=f"sqlite-checkpoint:{self.path.name}",
                daemon=True,
            )
            self._thread.start()

    def stop(self) -> None:
        with self._lock:
            thread, self._thread = self._thread, None
            self._stopped.set()
        if thread is not None and thread is not threading.current_thread():
            thread.join(timeout=5)

    @property
    def running(self) -> bool:
        thread = self._thread
        return thread is not None and thread.is_alive()

    def _loop(self, stopped: threading.Event) -> None:
        conn: sqlite3.Connection | None = None
        wal = f"{self.path}-wal"
        try:
            while not stopped.wait(self.interval):
                try:
                    if os.stat(wal).st_size == 0:
                        continue
                except OSError:  # no log (yet)
                    continue
                if conn is None:
                    conn = sqlite3.connect(self.path, timeout=0, check_same_thread=False)
                    conn.isolation_level = None
                # Nothing to copy costs a lock and a header read; a busy lock, a retry.
                with contextlib.suppress(sqlite3.OperationalError):
                    row = conn.execute("PRAGMA wal_checkpoint(PASSIVE)").fetchone()
                    if row is not None and row[2] > 0:
                        self.runs += 1
        finally:
            if conn is not None:
                conn.close()


def install(
    engine: Engine, path: Path, interval: float, *, backstop: int = BACKSTOP_PAGES
) -> Checkpointer | None:
    """Move ``engine``'s at-commit checkpoint to ``backstop`` pages of log and start the
    thread that checkpoints for it. ``interval`` <= 0: leave SQLite's own behaviour."""
    if interval <= 0:
        return None
    worker = Checkpointer(path, interval)

    @event.listens_for(engine, "connect")
    def _backstop(dbapi_conn: Any, _record: Any) -> None:
        cur = dbapi_conn.cursor()
        cur.execute(f"PRAGMA wal_autocheckpoint={int(backstop)}")
        cur.execute(f"PRAGMA journal_size_limit={WAL_LIMIT_BYTES}")
        cur.close()
        worker.ensure_running()

    @event.listens_for(engine, "engine_disposed")
    def _stop(_engine: Engine) -> None:
        worker.stop()

    weakref.finalize(engine, worker.stop)  # an engine dropped without dispose()
    _OF[engine] = worker
    return worker


_OF: weakref.WeakKeyDictionary[Engine, Checkpointer] = weakref.WeakKeyDictionary()


def of(engine: Engine) -> Checkpointer | None:
    """The checkpointer :func:`install` gave ``engine``, if any."""
    return _OF.get(engine)
