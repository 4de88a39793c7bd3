"""Engine, sessions and the ORM base shared by every area."""

from __future__ import annotations

import os
import sqlite3
import time
import uuid
from collections.abc import Iterable, Iterator
from contextlib import contextmanager
from datetime import UTC, datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import DateTime, Engine, Enum, MetaData, TypeDecorator, Uuid, create_engine, event
from sqlalchemy.orm import DeclarativeBase, Mapped, Session, mapped_column, sessionmaker

from contactpoint.core.config import Settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    return datetime.now(UTC)


_V7 = (0x7 << 76) | (0x2 << 62)  # version 7, RFC 9562 variant
_RANDOM = (0xFFF << 64) | ((1 << 62) - 1)  # rand_a and rand_b
_MS = (1 << 48) - 1
_new = object.__new__
_AS_INT = attrgetter("int")
_set = object.__setattr__


def new_ids(n: int) -> list[uuid.UUID]:
    """``n`` new UUIDs, version 7 (RFC 9562): this millisecond, then 74 random bits, in
    ascending order. Rows inserted together land side by side at the end of every index on
    their id (reports, their indicator links, campaign members) instead of on random pages
    all over it, which is what made a big import slow down as the database grew. One system
    call for all, and no argument parsing in ``UUID.__init__``. (Python 3.14's
    ``uuid.uuid7`` makes the same layout.)"""
    head = ((time.time_ns() // 1_000_000) & _MS) << 80 | _V7
    raw = os.urandom(16 * n)
    bits = sorted(int.from_bytes(raw[i : i + 16]) & _RANDOM for i in range(0, 16 * n, 16))
    out: list[uuid.UUID] = []
    append = out.append
    unknown = uuid.SafeUUID.unknown
    for b in bits:
        u = _new(uuid.UUID)
        _set(u, "int", head | b)
        _set(u, "is_safe", unknown)
        append(u)
    return out


def sorted_ids(ids: Iterable[uuid.UUID]) -> list[uuid.UUID]:
    """``sorted(ids)``, keyed on the integer: ``UUID.__lt__`` is Python code, and sorting
    a bulk batch's ids with it cost seconds."""
    return sorted(ids, key=_AS_INT)


def short_id(value: uuid.UUID | str) -> str:
    """Eight hex digits that tell ids apart on a page: the last ones, which are random (a
    UUIDv7 starts with its timestamp, shared by everything made in the same minute)."""
    return str(value).replace("-", "")[-8:]


def new_id() -> uuid.UUID:
    """One new primary key (see :func:`new_ids`)."""
    return new_ids(1)[0]


class UTCDateTime(TypeDecorator[datetime]):
    """Timezone-aware UTC on both databases (SQLite drops the offset on its own)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime given; contactpoint stores UTC-aware datetimes only")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        return value.replace(tzinfo=UTC) if value.tzinfo is None else value.astimezone(UTC)


class Base(DeclarativeBase):
    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime, uuid.UUID: Uuid}


class IdMixin:
    """UUID public id as primary key."""

    id: Mapped[uuid.UUID] = mapped_column(Uuid, primary_key=True, default=new_id)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, nullable=False)
    updated_at: Mapped[datetime] = mapped_column(
        UTCDateTime, default=utcnow, onupdate=utcnow, nullable=False
    )


SQLITE_PATIENCE = 30.0  # seconds a transaction waits for SQLite's write lock
LOCK_POLL = 0.002  # seconds between two tries for it


def take_write_lock(dbapi_conn: Any, patience: float) -> None:
    """``BEGIN IMMEDIATE`` on a SQLite connection, tried again every :data:`LOCK_POLL`
    seconds for up to ``patience``. SQLite's own wait backs off to 100 ms between tries,
    and so loses every race against a writer that takes the lock again within a few
    milliseconds of its commit, as a bulk import does between batches: a web request
    could wait for the whole import. The connection's own wait is off meanwhile, and is
    restored after."""
    deadline = time.monotonic() + patience
    dbapi_conn.execute("PRAGMA busy_timeout = 0")
    try:
        while True:
            try:
                dbapi_conn.execute("BEGIN IMMEDIATE")
                return
            except sqlite3.OperationalError as exc:
                if "locked" not in str(exc) or time.monotonic() >= deadline:
                    raise
            time.sleep(LOCK_POLL)
    finally:
        dbapi_conn.execute(f"PRAGMA busy_timeout = {int(patience * 1000)}")


def make_engine(settings: Settings) -> Engine:
    url = settings.effective_database_url
    if url.startswith("sqlite"):
        settings.var_dir.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_PATIENCE}
        )

        @event.listens_for(engine, "connect")
        def _sqlite_pragmas(dbapi_conn: Any, _record: Any) -> None:
            # Let SQLAlchemy, not pysqlite, open transactions, so BEGIN IMMEDIATE works.
            dbapi_conn.isolation_level = None
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA foreign_keys=ON")
            cur.execute("PRAGMA synchronous=NORMAL")
            cur.execute(f"PRAGMA cache_size=-{int(settings.sqlite_cache_mb) * 1024}")  # KiB
            cur.execute(f"PRAGMA wal_autocheckpoint={int(settings.sqlite_wal_autocheckpoint)}")
            cur.close()

        @event.listens_for(engine, "begin")
        def _sqlite_begin(conn: Any) -> None:
            # One writer at a time: take the write lock up front instead of failing mid-way.
            take_write_lock(conn.connection.driver_connection, SQLITE_PATIENCE)

        return engine
    return create_engine(url, pool_pre_ping=True, pool_size=10, max_overflow=20)


def make_session_factory(engine: Engine) -> sessionmaker[Session]:
    return sessionmaker(engine, expire_on_commit=False)


@contextmanager
def transaction(factory: sessionmaker[Session]) -> Iterator[Session]:
    """The one commit at the edge of a request, command or job; rollback on any error."""
    session = factory()
    try:
        yield session
        session.commit()
    except BaseException:
        session.rollback()
        raise
    finally:
        session.close()


def str_enum(cls: type[Any], name: str, length: int = 32) -> Enum:
    """A StrEnum stored as its value in a VARCHAR on both databases (no native enum types)."""
    return Enum(
        cls,
        name=name,
        native_enum=False,
        create_constraint=False,
        length=length,
        values_callable=lambda e: [m.value for m in e],
    )
