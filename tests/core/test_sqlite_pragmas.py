"""The SQLite settings reach every connection the engine opens."""

from __future__ import annotations

from pathlib import Path

from contactpoint.core.config import Settings
from contactpoint.core.db import make_engine


def test_cache_and_checkpoint_settings_apply_to_each_connection(tmp_path: Path) -> None:
    settings = Settings(
        var_dir=tmp_path, database_url="", sqlite_cache_mb=64, sqlite_wal_autocheckpoint=4000
    )
    engine = make_engine(settings)
    try:
        with engine.connect() as first, engine.connect() as second:
            for conn in (first, second):
                raw = conn.connection.driver_connection
                assert raw.execute("PRAGMA wal_autocheckpoint").fetchone() == (4000,)
                assert raw.execute("PRAGMA cache_size").fetchone() == (-64 * 1024,)
                assert raw.execute("PRAGMA journal_mode").fetchone() == ("wal",)
    finally:
        engine.dispose()


def test_the_checkpoint_default_is_sqlites_own(tmp_path: Path) -> None:
    engine = make_engine(Settings(var_dir=tmp_path, database_url=""))
    try:
        with engine.connect() as conn:
            raw = conn.connection.driver_connection
            assert raw.execute("PRAGMA wal_autocheckpoint").fetchone() == (1000,)
    finally:
        engine.dispose()
