"""Fixtures: every database test runs on SQLite, and on PostgreSQL when
CONTACTPOINT_TEST_DATABASE_URL is set (CI always sets it)."""

from __future__ import annotations

import os
import shutil
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, make_url, text
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import crypto, migrate
from contactpoint.core.config import Settings, get_settings, normalise_database_url
from contactpoint.core.db import Base, make_engine, make_session_factory, transaction
from contactpoint.core.models_registry import metadata

PG_URL = os.environ.get("CONTACTPOINT_TEST_DATABASE_URL", "")
BACKENDS = ["sqlite"] + (["postgresql"] if PG_URL else [])


@pytest.fixture(scope="session")
def keyring(tmp_path_factory: pytest.TempPathFactory) -> crypto.Keyring:
    ring = crypto.Keyring.generate()
    ring.save(tmp_path_factory.mktemp("keys") / "keys.json")
    crypto.configure(ring)
    return ring


@pytest.fixture(scope="session")
def sqlite_template(tmp_path_factory: pytest.TempPathFactory, keyring: crypto.Keyring) -> Path:
    """Migrate once; each test copies the migrated file (much faster than migrating again)."""
    var = tmp_path_factory.mktemp("template")
    settings = Settings(var_dir=var, database_url="")
    engine = make_engine(settings)
    migrate.upgrade(engine)
    engine.dispose()
    return var / "contactpoint.db"


@pytest.fixture(scope="session")
def pg_url() -> str:
    """One database per xdist worker, so workers never truncate each other's tables."""
    worker = os.environ.get("PYTEST_XDIST_WORKER", "main")
    base = make_url(normalise_database_url(PG_URL))
    name = f"{base.database}_{worker}"
    admin = create_engine(base.set(database="postgres"), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        conn.execute(text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
        conn.execute(text(f'CREATE DATABASE "{name}"'))
    admin.dispose()
    return base.set(database=name).render_as_string(hide_password=False)


@pytest.fixture(scope="session")
def pg_engine(keyring: crypto.Keyring, pg_url: str) -> Iterator[Engine]:
    engine = make_engine(Settings(database_url=pg_url))
    with engine.begin() as conn:
        conn.execute(text("DROP SCHEMA IF EXISTS public CASCADE"))
        conn.execute(text("DROP SCHEMA IF EXISTS procrastinate CASCADE"))
        conn.execute(text("CREATE SCHEMA public"))
    migrate.upgrade(engine)
    yield engine
    engine.dispose()


def _truncate_pg(engine: Engine) -> None:
    names = ", ".join(f'"{t.name}"' for t in metadata.sorted_tables)
    # procrastinate's queue (created by migrate.upgrade on PostgreSQL) is emptied too.
    names += ", procrastinate_jobs, procrastinate_periodic_defers, procrastinate_workers"
    with engine.begin() as conn:
        conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))


@pytest.fixture(params=BACKENDS)
def settings(request: pytest.FixtureRequest, tmp_path: Path, keyring: crypto.Keyring) -> Settings:
    key_file = tmp_path / "keys.json"
    keyring.save(key_file)
    if request.param == "sqlite":
        template = request.getfixturevalue("sqlite_template")
        var = tmp_path / "var"
        var.mkdir()
        shutil.copy(template, var / "contactpoint.db")
        return Settings(var_dir=var, database_url="", key_file=key_file)
    engine = request.getfixturevalue("pg_engine")
    _truncate_pg(engine)
    return Settings(
        var_dir=tmp_path / "var",
        database_url=engine.url.render_as_string(hide_password=False),
        key_file=key_file,
    )


@pytest.fixture
def engine(settings: Settings) -> Iterator[Engine]:
    eng = make_engine(settings)
    yield eng
    eng.dispose()


@pytest.fixture(autouse=True)
def _fresh_settings_cache() -> Iterator[None]:
    """CLI tests point the cached settings at their own database (and caps); no later test
    in the same worker may inherit them."""
    yield
    get_settings.cache_clear()


@pytest.fixture
def factory(engine: Engine) -> sessionmaker[Session]:
    return make_session_factory(engine)


@pytest.fixture
def db(factory: sessionmaker[Session]) -> Iterator[Session]:
    """A session whose work the test commits itself (services never commit)."""
    with transaction(factory) as session:
        yield session


@pytest.fixture
def app(settings: Settings):  # type: ignore[no-untyped-def]
    from contactpoint.app import create_app

    application = create_app(settings)
    yield application
    application.state.engine.dispose()


@pytest.fixture
def client(app) -> Iterator[TestClient]:  # type: ignore[no-untyped-def]
    with TestClient(app) as c:
        yield c


assert Base.metadata is metadata
