"""Keyset ("cursor") pagination, newest first, shared by every list in the API and pages.

The cursor is opaque to clients: base64 of the last row's creation time and id. Keyset
paging stays fast on deep pages and never skips or repeats rows when new ones arrive.
"""

from __future__ import annotations

import base64
import uuid
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, Generic, TypeVar

from sqlalchemy import Select, and_, or_
from sqlalchemy.orm import Session

from contactpoint.core.errors import InvalidInput

T = TypeVar("T")
MAX_LIMIT = 500


@dataclass
class Page(Generic[T]):
    items: list[T] = field(default_factory=list)
    next_cursor: str | None = None


def encode_cursor(created_at: datetime, row_id: uuid.UUID) -> str:
    raw = f"{created_at.isoformat()}|{row_id}"
    return base64.urlsafe_b64encode(raw.encode()).decode().rstrip("=")


def decode_cursor(cursor: str) -> tuple[datetime, uuid.UUID]:
    try:
        raw = base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)).decode()
        at, rid = raw.split("|")
        return datetime.fromisoformat(at), uuid.UUID(rid)
    except (ValueError, UnicodeDecodeError) as exc:
        raise InvalidInput(
            "bad cursor", errors=[{"field": "cursor", "message": "not a cursor from this API"}]
        ) from exc


def newest_first(
    session: Session, stmt: Select[Any], model: Any, *, cursor: str | None, limit: int
) -> Page[Any]:
    """One page of ``stmt`` ordered by (created_at, id) descending, after ``cursor``."""
    limit = max(1, min(limit, MAX_LIMIT))
    if cursor:
        at, rid = decode_cursor(cursor)
        stmt = stmt.where(or_(model.created_at < at, and_(model.created_at == at, model.id < rid)))
    stmt = stmt.order_by(model.created_at.desc(), model.id.desc()).limit(limit + 1)
    rows = list(session.scalars(stmt))
    more = len(rows) > limit
    rows = rows[:limit]
    last = rows[-1] if more and rows else None
    return Page(rows, encode_cursor(last.created_at, last.id) if last is not None else None)
