"""Indicator records and their links to reports.

Personal-data types (phone, IBAN, card, e-mail, identity attributes) link through a keyed
HMAC token; their clear value is stored encrypted and shown only to those allowed. Other
types (URLs, domains, IPs, hashes, wallets, onion services, messenger handles) are stored in
clear. ``lookup_key`` is what the unique index and every lookup use: the token for personal
data, the value otherwise (a digest for values too long for a portable unique index).
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import JSON, Boolean, ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contactpoint.core.crypto import EncryptedString
from contactpoint.core.db import Base, IdMixin, UTCDateTime, utcnow


class Indicator(IdMixin, Base):
    __tablename__ = "indicators"
    __table_args__ = (UniqueConstraint("type", "lookup_key", name="uq_indicators_type_key"),)

    type: Mapped[str] = mapped_column(String(32))
    # Token (PII types) or value (others), at most 300 characters: the search key. Its own
    # index serves the search across types (`?q=`); the unique index serves typed lookups.
    lookup_key: Mapped[str] = mapped_column(String(300), index=True)
    value: Mapped[str | None] = mapped_column(Text)  # clear value, non-personal types only
    value_encrypted: Mapped[str | None] = mapped_column(EncryptedString, deferred=True)
    token: Mapped[str | None] = mapped_column(String(64))  # HMAC, personal-data types only
    card_bin: Mapped[str | None] = mapped_column(String(8), index=True)  # cards: BIN lookups
    display: Mapped[str | None] = mapped_column(String(64))  # safe short form (card BIN…last4)
    first_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    last_seen: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    report_count: Mapped[int] = mapped_column(Integer, default=0)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
    extra: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    warninglisted: Mapped[bool] = mapped_column(Boolean, default=False)
    warninglist: Mapped[str | None] = mapped_column(String(200))


class ReportIndicator(Base):
    """Where an indicator occurs in a report: ``field`` is "description" (``start``/``end``
    index the stored, redacted description) or "suspect_identifiers" (``start`` is the
    identifier's position in the list).

    The occurrence is its own key: no surrogate id. A link is the most written row of the
    system (several per report, millions on a bulk import), and every index costs each
    write; the primary key also serves lookups by report, its leading column."""

    __tablename__ = "report_indicators"
    __table_args__ = (
        Index("ix_report_indicators_indicator_report", "indicator_id", "report_id"),
        # SQLite: stored in primary-key order, no hidden rowid table beside it.
        {"sqlite_with_rowid": False},
    )

    # A string reference: reports sit above indicators in the layers, so no import.
    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    indicator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), primary_key=True
    )
    field: Mapped[str] = mapped_column(String(32), primary_key=True)
    start: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    end: Mapped[int] = mapped_column(Integer)
    flags: Mapped[list[str]] = mapped_column(JSON, default=list)
