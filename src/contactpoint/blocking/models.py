"""Blocklists per jurisdiction, their entries, and the published versions.

Entries are not edited once made: a correction is a withdrawal and a new entry, so a
published version's snapshot always tells what was blocked and on which decision.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    Boolean,
    ForeignKey,
    Integer,
    LargeBinary,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from contactpoint.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow


class EntryKind(StrEnum):
    DOMAIN = "domain"
    URL = "url"
    IP = "ip"


class Blocklist(IdMixin, TimestampMixin, Base):
    """One list per country, kept by that country's authority; providers there download it."""

    __tablename__ = "blocklists"

    country: Mapped[str] = mapped_column(String(2), unique=True)
    authority_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"))
    # The stop-page host RPZ answers point to (CNAME); empty: NXDOMAIN.
    landing_host: Mapped[str | None] = mapped_column(String(253))
    wildcard: Mapped[bool] = mapped_column(Boolean, default=True)


class BlocklistEntry(IdMixin, Base):
    __tablename__ = "blocklist_entries"

    blocklist_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("blocklists.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[EntryKind] = mapped_column(str_enum(EntryKind, "blocklist_entry_kind", 8))
    value: Mapped[str] = mapped_column(String(2048))  # normalised (punycode, canonical URL)
    host: Mapped[str] = mapped_column(String(253), index=True)  # for the stop page
    block_host: Mapped[bool] = mapped_column(Boolean, default=False)
    category: Mapped[str] = mapped_column(String(40))  # a taxonomy crime kind
    legal_basis: Mapped[str] = mapped_column(String(500))
    decision_reference: Mapped[str] = mapped_column(String(200))
    valid_from: Mapped[datetime] = mapped_column(UTCDateTime)
    valid_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    redress_text: Mapped[str] = mapped_column(Text)
    redress_url: Mapped[str | None] = mapped_column(String(2048))
    created_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    withdrawn_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    withdrawn_reason: Mapped[str | None] = mapped_column(Text)


class BlocklistVersion(IdMixin, Base):
    """A published version: its serial (also the RPZ SOA serial) and a snapshot of its
    entries, from which every export is rendered the same way each time."""

    __tablename__ = "blocklist_versions"
    __table_args__ = (UniqueConstraint("blocklist_id", "serial"),)

    blocklist_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("blocklists.id", ondelete="CASCADE"), index=True
    )
    serial: Mapped[int] = mapped_column(Integer)
    published_at: Mapped[datetime] = mapped_column(UTCDateTime)
    published_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    entry_count: Mapped[int] = mapped_column(Integer)
    landing_host: Mapped[str | None] = mapped_column(String(253))
    wildcard: Mapped[bool] = mapped_column(Boolean)
    hash_checksum: Mapped[str] = mapped_column(String(64))
    snapshot: Mapped[bytes] = mapped_column(LargeBinary)  # gzip'd JSON of ExportEntry rows
