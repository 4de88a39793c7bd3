"""SQLite's log is checkpointed by a thread of the engine's, not inside a commit."""

from __future__ import annotations

import sqlite3
import time
from collections.abc import Callable
from pathlib import Path

from sqlalchemy import Engine, text

from contactpoint.core import checkpoint
from contactpoint.core.config import Settings
from contactpoint.core.db import make_engine

ROWS = 3000  # about 1,500 pages of 4 KiB: past SQLite's automatic checkpoint (1,000)


def _fill(engine: Engine, rows: int = ROWS) -> None:
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE IF NOT EXISTS t (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(
            text("INSERT INTO t (body) VALUES (:b)"), [{"b": "x" * 2000} for _ in range(rows)]
        )


def _main_file_bytes(path: Path) -> int:
    return path.stat().st_size if path.exists() else 0


def _wait_for(check: Callable[[], bool], seconds: float = 10.0) -> bool:
    end = time.monotonic() + seconds
    while time.monotonic() < end:
        if check():
            return True
        time.sleep(0.02)
    return False


def test_commit_leaves_the_log_and_the_thread_copies_it(tmp_path: Path) -> None:
    engine = make_engine(Settings(var_dir=tmp_path, sqlite_checkpoint_seconds=0.05))
    db = tmp_path / "contactpoint.db"
    worker = checkpoint.of(engine)
    assert worker is not None
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 16_384
    assert worker.running
    worker.stop()  # hold the copy back to see what the commit itself did
    before = _main_file_bytes(db)
    _fill(engine)
    wal = db.with_name(db.name + "-wal").stat().st_size
    assert wal > 1000 * 4096  # the commit left every page in the log...
    assert _main_file_bytes(db) - before < 1000 * 4096  # ...and copied none of it
    worker.ensure_running()
    assert _wait_for(lambda: worker.runs > 0 and _main_file_bytes(db) > ROWS * 2000)
    with sqlite3.connect(db) as raw:
        assert raw.execute("SELECT count(*) FROM t").fetchone() == (ROWS,)
    engine.dispose()


def test_a_writer_that_outruns_the_thread_checkpoints_at_the_backstop(tmp_path: Path) -> None:
    settings = Settings(var_dir=tmp_path, sqlite_checkpoint_seconds=0)
    engine = make_engine(settings)  # SQLite's own checkpoint off here: the backstop's alone
    db = tmp_path / "contactpoint.db"
    worker = checkpoint.install(engine, db, 60.0, backstop=2000)
    assert worker is not None
    _fill(engine, 10)  # the first connection, with the backstop set, and the thread
    worker.stop()  # a thread that never gets round to it
    before = _main_file_bytes(db)
    _fill(engine)  # about 1,500 pages: under the backstop, left in the log
    assert _main_file_bytes(db) - before < 1000 * 4096
    _fill(engine)  # past 2,000 pages of log: this commit copies it
    assert _main_file_bytes(db) > 2 * ROWS * 2000
    engine.dispose()


def test_dispose_stops_the_thread_and_use_after_starts_it(tmp_path: Path) -> None:
    engine = make_engine(Settings(var_dir=tmp_path, sqlite_checkpoint_seconds=0.05))
    _fill(engine, 10)
    worker = checkpoint.of(engine)
    assert worker is not None and worker.running
    engine.dispose()
    assert not worker.running
    _fill(engine, 10)
    assert worker.running
    engine.dispose()


def test_zero_keeps_sqlites_own_checkpoint(tmp_path: Path) -> None:
    engine = make_engine(Settings(var_dir=tmp_path, sqlite_checkpoint_seconds=0))
    assert checkpoint.of(engine) is None
    db = tmp_path / "contactpoint.db"
    _fill(engine)
    # The commit checkpointed: the rows are in the main file already.
    assert _main_file_bytes(db) > ROWS * 2000
    with engine.connect() as conn:
        assert conn.exec_driver_sql("PRAGMA wal_autocheckpoint").scalar() == 1000
    engine.dispose()
