"""``reports.copy``: the importer's writer may skip PostgreSQL's per-row foreign-key checks
only where the role may, only for the one write, and never past the transaction."""

from __future__ import annotations

import uuid

import psycopg
import pytest
from sqlalchemy import create_engine, select, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core.actor import SYSTEM
from contactpoint.core.config import Settings
from contactpoint.core.db import new_id, transaction, utcnow
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.indicators.service import Found, new_row
from contactpoint.reports import copy
from factories import make_report

LINK = ("report_id", "indicator_id", "field", "start", "end", "flags")


def _link(session: Session, report_id: uuid.UUID, indicator_id: uuid.UUID) -> tuple[object, ...]:
    as_id = copy.id_writer(session)
    return (as_id(report_id), as_id(indicator_id), "description", 0, 5, "[]")


@pytest.fixture
def stored(factory: sessionmaker[Session]) -> uuid.UUID:
    """A stored report's id."""
    with transaction(factory) as s:
        return make_report(s, SYSTEM, description="Paid 50 EUR via https://evil-shop.example").id


def test_only_postgresql_may_skip(factory: sessionmaker[Session], settings: Settings) -> None:
    with transaction(factory) as s:
        skip = copy.may_skip_reference_checks(s)
    # The PostgreSQL tests run as a superuser, who may.
    assert skip is settings.effective_database_url.startswith("postgresql")


def test_an_unchecked_write_skips_the_check_and_restores_it(
    factory: sessionmaker[Session], settings: Settings, stored: uuid.UUID
) -> None:
    if not settings.effective_database_url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    rid = stored
    missing = new_id()
    # Checked (the default): a link to an indicator that does not exist is refused.
    with pytest.raises(psycopg.errors.ForeignKeyViolation), transaction(factory) as s:
        copy.write_rows(s, "report_indicators", LINK, [_link(s, rid, missing)])
        s.flush()
    # Unchecked: the same row goes in (so the check really is skipped), and the session is
    # back to checking for the next statement of the same transaction.
    with factory() as s:
        copy.write_rows(
            s, "report_indicators", LINK, [_link(s, rid, missing)], references_checked=False
        )
        assert s.scalar(text("SHOW session_replication_role")) == "origin"
        s.rollback()
    # A failed unchecked write leaves nothing behind either.
    with factory() as s:
        row = _link(s, rid, missing)
        with pytest.raises(psycopg.errors.UniqueViolation):
            copy.write_rows(s, "report_indicators", LINK, [row, row], references_checked=False)
        s.rollback()
        assert s.scalar(text("SHOW session_replication_role")) == "origin"
        assert s.get(Indicator, missing) is None
        n = s.scalar(
            select(ReportIndicator.report_id).where(ReportIndicator.indicator_id == missing)
        )
        assert n is None


def test_only_a_role_granted_the_parameter_may_skip(settings: Settings) -> None:
    url = settings.effective_database_url
    if not url.startswith("postgresql"):
        pytest.skip("PostgreSQL only")
    role = f"cp_importer_{uuid.uuid4().hex[:8]}"
    admin = create_engine(make_url(url), isolation_level="AUTOCOMMIT")
    with admin.connect() as conn:
        if int(conn.scalar(text("SHOW server_version_num")) or 0) < 150000:
            admin.dispose()
            pytest.skip("GRANT SET ON PARAMETER needs PostgreSQL 15")
        conn.execute(text(f'CREATE ROLE "{role}" LOGIN'))
    as_role = create_engine(make_url(url).set(username=role, password=None))
    try:
        with Session(as_role) as s:
            assert copy.may_skip_reference_checks(s) is False
        with admin.connect() as conn:
            conn.execute(text(f'GRANT SET ON PARAMETER session_replication_role TO "{role}"'))
        with Session(as_role) as s:
            assert copy.may_skip_reference_checks(s) is True
    finally:
        as_role.dispose()
        with admin.connect() as conn:
            conn.execute(text(f'REVOKE SET ON PARAMETER session_replication_role FROM "{role}"'))
            conn.execute(text(f'DROP ROLE "{role}"'))
        admin.dispose()


@pytest.mark.parametrize("n", [1, 3, copy.FEW_ROWS, copy.FEW_ROWS + 1, 300])
def test_few_rows_and_many_store_the_same(
    factory: sessionmaker[Session], stored: uuid.UUID, n: int
) -> None:
    """A few rows go in one multi-row INSERT on PostgreSQL, more by COPY (SQLite: always
    executemany): every value comes back as given, whichever way it went."""
    with transaction(factory) as s:
        now = utcnow()
        row = new_row(Found("domain", "evil-shop.example", "description", 0, 5), now, now)
        copy.copy_rows(s, Indicator.__table__, [row])  # type: ignore[arg-type]
        iid = row["id"]
        as_id = copy.id_writer(s)
        flags = copy.memo_writer(s, ReportIndicator.__table__.c.flags)
        wanted = {
            (stored, iid, f"field-{k % 7}", k, k + 5, ("unsure",) if k % 2 else ())
            for k in range(n)
        }
        rows = [(as_id(r), as_id(i), f, a, b, flags(fl)) for r, i, f, a, b, fl in wanted]
        copy.write_rows(s, "report_indicators", LINK, rows)
    with transaction(factory) as s:
        got = {
            (r.report_id, r.indicator_id, r.field, r.start, r.end, tuple(r.flags))
            for r in s.scalars(select(ReportIndicator).where(ReportIndicator.indicator_id == iid))
        }
    assert got == wanted
