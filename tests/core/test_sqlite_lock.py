"""SQLite's write lock: a transaction waiting for it tries every few milliseconds, so it gets
in between two transactions of a writer that takes the lock straight back."""

from __future__ import annotations

import sqlite3
import threading
import time
from pathlib import Path

import pytest

from contactpoint.core.db import take_write_lock


def _connect(path: Path) -> sqlite3.Connection:
    conn = sqlite3.connect(path, isolation_level=None, check_same_thread=False, timeout=30)
    conn.execute("PRAGMA journal_mode=WAL")
    return conn


def test_a_waiting_transaction_gets_in_when_the_lock_is_free_for_a_moment(
    tmp_path: Path,
) -> None:
    path = tmp_path / "lock.db"
    writer, waiter = _connect(path), _connect(path)
    writer.execute("CREATE TABLE t (n INTEGER)")
    stop = threading.Event()

    def busy_writer() -> None:
        # Like a bulk import: commit, leave the lock free for 10 ms, take it again.
        while not stop.is_set():
            writer.execute("BEGIN IMMEDIATE")
            writer.execute("INSERT INTO t VALUES (1)")
            time.sleep(0.2)
            writer.execute("COMMIT")
            time.sleep(0.01)

    thread = threading.Thread(target=busy_writer)
    thread.start()
    try:
        time.sleep(0.05)
        waits = []
        for _ in range(3):
            t = time.monotonic()
            take_write_lock(waiter, 10)
            waits.append(time.monotonic() - t)
            waiter.execute("COMMIT")
    finally:
        stop.set()
        thread.join()
    # Each got in at the writer's next gap: within one of its 0.2 s transactions.
    assert max(waits) < 1.0, waits
    # SQLite's own wait is back for every other statement.
    assert waiter.execute("PRAGMA busy_timeout").fetchone() == (10_000,)


def test_it_gives_up_after_its_patience_and_restores_the_wait(tmp_path: Path) -> None:
    path = tmp_path / "lock.db"
    holder, waiter = _connect(path), _connect(path)
    holder.execute("BEGIN IMMEDIATE")
    t = time.monotonic()
    with pytest.raises(sqlite3.OperationalError, match="locked"):
        take_write_lock(waiter, 0.2)
    assert 0.2 <= time.monotonic() - t < 2
    assert waiter.execute("PRAGMA busy_timeout").fetchone() == (200,)
    holder.execute("COMMIT")
    take_write_lock(waiter, 0.2)  # free now: taken at once
    waiter.execute("COMMIT")
