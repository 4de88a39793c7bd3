"""Full-text search over report descriptions, one function per database.

- SQLite: an FTS5 table ``reports_fts(report_id, body)`` that the service keeps in step
  (created in migration 0002);
- PostgreSQL: a generated ``tsvector`` column ``reports.search_vector`` with a GIN index
  (migration 0002), so nothing needs keeping in step.

Both use the ``simple`` configuration (no stemming: descriptions come in many languages)
and AND semantics: every word of the query must occur.
"""

from __future__ import annotations

import re
import uuid

from sqlalchemy import ColumnElement, false, text
from sqlalchemy.orm import Session

_WORD = re.compile(r"\w+", re.UNICODE)


def words(q: str) -> list[str]:
    return _WORD.findall(q)[:20]


def fts5_query(q: str) -> str:
    """Quote each word so user input is never FTS5 syntax (no NEAR, no column filters)."""
    return " ".join(f'"{w}"' for w in words(q))


def _dialect(session: Session) -> str:
    return session.get_bind().dialect.name


def matches(session: Session, q: str) -> ColumnElement[bool]:
    """A WHERE clause on ``reports`` for descriptions containing every word of ``q``."""
    if not words(q):
        return false()
    if _dialect(session) == "postgresql":
        return text("reports.search_vector @@ plainto_tsquery('simple', :fts_q)").bindparams(
            fts_q=" ".join(words(q))
        )  # type: ignore[return-value]
    return text(
        "reports.id IN (SELECT report_id FROM reports_fts WHERE reports_fts MATCH :fts_q)"
    ).bindparams(fts_q=fts5_query(q))  # type: ignore[return-value]


def index(session: Session, report_id: uuid.UUID, body: str, *, new: bool = False) -> None:
    """Keep the SQLite FTS5 table in step (PostgreSQL computes its column itself). ``new``:
    the report has no row yet. Finding an old row scans the whole FTS table (its columns
    are not indexed for equality), about 0.7 s at a million reports, so new reports skip it."""
    if _dialect(session) != "sqlite":
        return
    # The Uuid type stores 32 hex digits on SQLite; the FTS row uses the same form.
    if not new:
        session.execute(
            text("DELETE FROM reports_fts WHERE report_id = :rid"), {"rid": report_id.hex}
        )
    session.execute(
        text("INSERT INTO reports_fts (report_id, body) VALUES (:rid, :body)"),
        {"rid": report_id.hex, "body": body},
    )
