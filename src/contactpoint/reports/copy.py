"""Bulk writes for the importer: ``COPY ... FROM STDIN`` through psycopg on PostgreSQL, the
driver's own ``executemany`` on SQLite.

Values go through each column's own SQLAlchemy bind processing first (encryption of
personal fields, enum values, JSON, UTC datetimes), so a written row is byte for byte what
an ORM insert would have stored; only SQLAlchemy's per-row statement bookkeeping is skipped.
Both run on the session's connection, inside the batch's transaction.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable, Sequence
from datetime import datetime
from operator import attrgetter
from typing import Any

from sqlalchemy import JSON, Table, Uuid, bindparam, text
from sqlalchemy.engine import Dialect
from sqlalchemy.orm import Session

from contactpoint.core.db import UTCDateTime
from contactpoint.indicators.models import Indicator

_TEMP = "bulk_indicators"
_CHUNK = 500  # values per IN (...): well under SQLite's variable limit
FEW_ROWS = 50  # up to this many, one multi-row INSERT writes them on PostgreSQL, not COPY
_READ_BACK = text(
    "SELECT id, type, lookup_key, report_count, warninglisted FROM indicators "
    "WHERE lookup_key IN :keys"
).bindparams(bindparam("keys", expanding=True))
# Computed by the database (reports.search_vector, migration 0002): never copied.
_SKIP = frozenset({"search_vector"})


def _raw(session: Session) -> Any:
    """The psycopg connection under the session's current transaction."""
    return session.connection().connection.driver_connection


def columns_of(table: Table, rows: Sequence[dict[str, Any]]) -> list[Any]:
    """The columns to write: those the rows give, and those with a Python-side default
    (filled in here, as an ORM insert would, so a column added later is never left NULL)."""
    cols = []
    for c in table.columns:
        if c.name in _SKIP:
            continue
        if c.name not in rows[0]:
            default: Any = c.default
            if default is None or not (default.is_scalar or default.is_callable):
                continue
            for row in rows:
                row[c.name] = default.arg if default.is_scalar else default.arg(None)
        cols.append(c)
    return cols


def writer(dialect: Dialect, type_: Any) -> Callable[[Any], Any] | None:
    """A column type's conversion to the value the driver writes (None: as is). JSON is
    serialised here, and ids become their hex digits (:data:`_AS_HEX`): psycopg's own
    conversions only wrap such values, to be serialised in Python once per cell."""
    if isinstance(type_, JSON):
        serialise: Callable[[Any], Any] = getattr(dialect, "_json_serializer", None) or json.dumps
        return serialise
    if isinstance(type_, Uuid):
        return _AS_HEX
    proc: Callable[[Any], Any] | None = type_.dialect_impl(dialect).bind_processor(dialect)
    return proc


def converted(
    session: Session, cols: list[Any], rows: Sequence[dict[str, Any]]
) -> list[tuple[Any, ...]]:
    dialect = session.get_bind().dialect
    procs = [writer(dialect, c.type) for c in cols]
    if not cols:
        return [() for _ in rows]
    # Column by column: one comprehension per column instead of a Python loop per cell,
    # and no call at all for the many columns without bind processing.
    columns: list[list[Any]] = []
    for c, proc in zip(cols, procs, strict=True):
        name = c.name
        values = [row[name] for row in rows]
        if proc is None:
            pass
        elif isinstance(c.type, (JSON, UTCDateTime)):
            values = _memoised(proc, values)
        else:
            values = [v if v is None else proc(v) for v in values]
        columns.append(values)
    return list(zip(*columns, strict=True))


def _memoised(proc: Callable[[Any], Any], values: list[Any]) -> list[Any]:
    """Convert each distinct value once: a batch's timestamps are one ``now``, and most
    JSON values repeat (a link's flags are nearly always ``()``). Only for types whose
    conversion depends on the value alone: never for encryption, whose nonce must differ."""
    memo: dict[Any, Any] = {None: None}
    out: list[Any] = []
    for v in values:
        if v.__class__ is list or v.__class__ is dict:  # not hashable
            out.append(proc(v))
        elif v in memo:
            out.append(memo[v])
        else:
            out.append(memo.setdefault(v, proc(v)))
    return out


# A ``Uuid`` column's value as written: 32 hex digits on either database. SQLite stores
# them so; PostgreSQL's ``uuid`` input reads them, and psycopg writes a string with no
# Python call per cell, where a ``UUID`` goes through its Python dumper (for the ids a
# batch repeats, as a link's report and indicator, that is once per cell).
_AS_HEX: Callable[[uuid.UUID], str] = attrgetter("hex")


def id_writer(session: Session) -> Callable[[uuid.UUID], Any]:
    """How a ``Uuid`` column's value is written (the same on both databases)."""
    return _AS_HEX


class Memo(dict[Any, Any]):
    """A conversion done once per distinct value: its ``__getitem__`` is the writer, so a
    value met before costs one dict lookup in C and no Python call."""

    def __init__(self, convert: Callable[[Any], Any]) -> None:
        super().__init__()
        self.convert = convert

    def __missing__(self, value: Any) -> Any:
        out = self[value] = self.convert(value)
        return out


def memo_writer(session: Session, column: Any) -> Callable[[Any], Any]:
    """``column``'s bind conversion, done once per distinct (hashable) value."""
    dialect = session.get_bind().dialect
    proc = writer(dialect, column.type)
    memo = Memo(proc or (lambda v: v))
    memo[None] = None
    return memo.__getitem__


def may_skip_reference_checks(session: Session) -> bool:
    """Whether this PostgreSQL role may turn off foreign-key triggers for its own session
    (``session_replication_role``, as ``pg_restore --disable-triggers`` does): a superuser,
    or on PostgreSQL 15 and later a role granted ``SET ON PARAMETER``."""
    if session.get_bind().dialect.name != "postgresql":
        return False
    if session.scalar(text("SELECT current_setting('is_superuser') = 'on'")):
        return True
    if int(session.scalar(text("SHOW server_version_num")) or 0) < 150000:
        return False
    return bool(
        session.scalar(text("SELECT has_parameter_privilege('session_replication_role', 'SET')"))
    )


def write_rows(
    session: Session,
    table: str,
    names: Sequence[str],
    rows: Sequence[tuple[Any, ...]],
    *,
    references_checked: bool = True,
) -> None:
    """Insert ready rows (values already as the driver takes them): COPY on PostgreSQL,
    ``executemany`` on SQLite.

    ``references_checked=False`` (PostgreSQL, and only where :func:`may_skip_reference_checks`
    says the role may) skips the foreign-key trigger each row fires. Only for rows whose
    every reference was inserted, or locked by an update, earlier in this transaction: then
    nothing can have removed it, and the per-row check is pure cost (a third of the server's
    work in a bulk import). The setting is local to the transaction and restored at once."""
    if not rows:
        return
    column_list = ", ".join(f'"{n}"' for n in names)
    if session.get_bind().dialect.name == "postgresql":
        with _raw(session).cursor() as cur:
            if not references_checked:
                cur.execute("SET LOCAL session_replication_role = replica")
            if len(rows) <= FEW_ROWS:
                # One statement, one round trip: COPY takes two (start, then data and end),
                # which is most of the cost of the one or two rows a report's link writes.
                marks = "(" + ", ".join(["%s"] * len(names)) + ")"
                cur.execute(
                    f"INSERT INTO {table} ({column_list}) VALUES "  # noqa: S608
                    + ", ".join([marks] * len(rows)),
                    [v for values in rows for v in values],
                )
            else:
                with cur.copy(f"COPY {table} ({column_list}) FROM STDIN") as cp:
                    for values in rows:
                        cp.write_row(values)
            if not references_checked:
                # On failure the rollback undoes the SET LOCAL with everything else.
                cur.execute("SET LOCAL session_replication_role = origin")
        return
    marks = ", ".join("?" for _ in names)
    cur = _raw(session).cursor()
    try:
        cur.executemany(f"INSERT INTO {table} ({column_list}) VALUES ({marks})", rows)  # noqa: S608
    finally:
        cur.close()


def bump_indicators(
    session: Session, bumps: Sequence[tuple[uuid.UUID, int]], seen: datetime
) -> dict[uuid.UUID, int]:
    """Add ``n`` to the report count of each stored indicator ``(id, n)`` and widen its first
    and last seen to ``seen``; returns the counts now. An id that is not stored (deleted
    since) is missing from the result. ``bumps`` sorted by id: one lock order."""
    if not bumps:
        return {}
    stamp = memo_writer(session, Indicator.__table__.c.first_seen)(seen)
    out: dict[uuid.UUID, int] = {}
    if session.get_bind().dialect.name == "postgresql":
        with _raw(session).cursor() as cur:
            cur.execute(
                "UPDATE indicators AS i SET report_count = i.report_count + u.n, "
                "first_seen = LEAST(i.first_seen, %(seen)s), "
                "last_seen = GREATEST(i.last_seen, %(seen)s) "
                "FROM unnest(%(ids)s::uuid[], %(ns)s::int[]) AS u(id, n) WHERE i.id = u.id "
                "RETURNING i.id, i.report_count",
                {"seen": stamp, "ids": [i for i, _ in bumps], "ns": [n for _, n in bumps]},
            )
            out.update((iid, int(count)) for iid, count in cur.fetchall())
        return out
    by_hex = {i.hex: i for i, _ in bumps}
    cur = _raw(session).cursor()
    try:
        cur.executemany(
            "UPDATE indicators SET report_count = report_count + ?, "
            "first_seen = min(first_seen, ?), last_seen = max(last_seen, ?) WHERE id = ?",
            [(n, stamp, stamp, i.hex) for i, n in bumps],
        )
        hexes = list(by_hex)
        for i in range(0, len(hexes), _CHUNK):
            part = hexes[i : i + _CHUNK]
            marks = ", ".join("?" for _ in part)
            cur.execute(
                f"SELECT id, report_count FROM indicators WHERE id IN ({marks})",  # noqa: S608
                part,
            )
            out.update((by_hex[h], int(count)) for h, count in cur.fetchall())
    finally:
        cur.close()
    return out


def copy_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """Insert ``rows`` (dicts with the same keys) into ``table``, each column's values
    converted by its own type first (:func:`write_rows` then writes them)."""
    if not rows:
        return
    cols = columns_of(table, rows)
    write_rows(session, table.name, [c.name for c in cols], converted(session, cols, rows))


def update_rows(session: Session, table: Table, rows: Sequence[dict[str, Any]]) -> None:
    """``UPDATE table SET ... WHERE id = ...`` for each row (dicts with the same keys, one of
    them ``id``), values converted as :func:`copy_rows` does, run by the driver in one
    ``executemany``: the ORM's bulk update builds a statement context per row."""
    if not rows:
        return
    names = [n for n in rows[0] if n != "id"]
    cols = [table.c[n] for n in (*names, "id")]
    pg = session.get_bind().dialect.name == "postgresql"
    mark = "%s" if pg else "?"
    sets = ", ".join(f'"{n}" = {mark}' for n in names)
    sql = f"UPDATE {table.name} SET {sets} WHERE id = {mark}"  # noqa: S608
    data = converted(session, cols, rows)
    cur = _raw(session).cursor()
    try:
        cur.executemany(sql, data)
    finally:
        cur.close()


def upsert_indicators_sqlite(
    session: Session, rows: Sequence[dict[str, Any]]
) -> list[tuple[uuid.UUID, str, str, int, bool]]:
    """SQLite's twin of :func:`upsert_indicators`: one upsert run by the driver over all
    rows (no RETURNING: the driver's executemany cannot return rows), then the merged
    records read back by key."""
    if not rows:
        return []
    cols = columns_of(Indicator.__table__, rows)  # type: ignore[arg-type]
    names = ", ".join(f'"{c.name}"' for c in cols)
    marks = ", ".join("?" for _ in cols)
    cur = _raw(session).cursor()
    try:
        cur.executemany(
            f"INSERT INTO indicators ({names}) VALUES ({marks}) "  # noqa: S608
            "ON CONFLICT (type, lookup_key) DO UPDATE SET "
            "first_seen = min(first_seen, excluded.first_seen), "
            "last_seen = max(last_seen, excluded.last_seen), "
            "report_count = report_count + excluded.report_count",
            converted(session, cols, rows),
        )
        wanted = {(r["type"], r["lookup_key"]) for r in rows}
        keys = sorted({k for _, k in wanted})
        found: list[tuple[uuid.UUID, str, str, int, bool]] = []
        for i in range(0, len(keys), _CHUNK):
            part = keys[i : i + _CHUNK]
            result = session.connection().execute(_READ_BACK, {"keys": part})
            for iid, type_, key, count, listed in result:
                if (type_, key) in wanted:  # the same key may name another type's record
                    found.append((uuid.UUID(iid), type_, key, count, bool(listed)))
    finally:
        cur.close()
    return found


def upsert_indicators(
    session: Session, rows: Sequence[dict[str, Any]]
) -> list[tuple[uuid.UUID, str, str, int, bool]]:
    """COPY new indicator records into a temporary table, then one INSERT ... ON CONFLICT
    merges them: first/last seen widen, report counts grow. Returns (id, type, key, count,
    warninglisted) of every row, new or existing."""
    if not rows:
        return []
    raw = _raw(session)
    with raw.cursor() as cur:
        cur.execute(
            f"CREATE TEMP TABLE IF NOT EXISTS {_TEMP} "
            "(LIKE indicators INCLUDING DEFAULTS) ON COMMIT DELETE ROWS"
        )
    cols = columns_of(Indicator.__table__, rows)  # type: ignore[arg-type]
    write_rows(session, _TEMP, [c.name for c in cols], converted(session, cols, rows))
    names = ", ".join(f'"{c.name}"' for c in cols)
    with raw.cursor() as cur:
        cur.execute(
            f"INSERT INTO indicators ({names}) SELECT {names} FROM {_TEMP} "  # noqa: S608
            "ORDER BY type, lookup_key "
            "ON CONFLICT (type, lookup_key) DO UPDATE SET "
            "first_seen = LEAST(indicators.first_seen, EXCLUDED.first_seen), "
            "last_seen = GREATEST(indicators.last_seen, EXCLUDED.last_seen), "
            "report_count = indicators.report_count + EXCLUDED.report_count "
            "RETURNING id, type, lookup_key, report_count, warninglisted"
        )
        found = [(r[0], r[1], r[2], r[3], r[4]) for r in cur.fetchall()]
        cur.execute(f"TRUNCATE {_TEMP}")
    return found
