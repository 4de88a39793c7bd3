"""Reports of cyber crime, their attachments and notes, reference counters, bulk imports."""

from __future__ import annotations

import uuid
from datetime import datetime
from decimal import Decimal
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    Boolean,
    ForeignKey,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpoint.core.access import Marked
from contactpoint.core.crypto import EncryptedString
from contactpoint.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
from contactpoint.taxonomy.vocab import Category, CrimeKind, PaymentMethod, VictimType


class Source(StrEnum):
    CITIZEN = "citizen"  # the public form
    API = "api"  # an organisation's token
    BULK_FILE = "bulk_file"  # `contactpoint reports import`
    FEED = "feed"  # automated feeds (later)


class Status(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    IN_CASE = "in_case"
    REFERRED = "referred"
    CLOSED = "closed"


# The workflow: new → triaged → in_case | referred | closed. Closing needs a reason;
# a closed report may be reopened to triaged (a mistake, new facts).
TRANSITIONS: dict[Status, frozenset[Status]] = {
    Status.NEW: frozenset({Status.TRIAGED, Status.CLOSED}),
    Status.TRIAGED: frozenset({Status.IN_CASE, Status.REFERRED, Status.CLOSED}),
    Status.IN_CASE: frozenset({Status.CLOSED}),
    Status.REFERRED: frozenset({Status.CLOSED}),
    Status.CLOSED: frozenset({Status.TRIAGED}),
}


class Report(IdMixin, TimestampMixin, Marked, Base):
    """One report. ``owner_org_id`` is the organisation that answers for it: the reporting
    organisation, or for citizen reports the receiving contact point."""

    __tablename__ = "reports"
    __marked_type__ = "report"
    __table_args__ = (
        # Idempotency: an organisation's own id for a report is accepted once. Its index
        # also serves lookups by organisation alone (the leading column): a second index on
        # reporting_org_id cost every insert, and PostgreSQL's planner, with statistics
        # stale during a bulk import, chose it for the duplicate check and read all of an
        # organisation's reports in every batch.
        UniqueConstraint("reporting_org_id", "external_id", name="uq_reports_org_external_id"),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)  # CC-YYYY-NNNNNN
    source: Mapped[Source] = mapped_column(str_enum(Source, "report_source"), index=True)
    reporting_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    external_id: Mapped[str | None] = mapped_column(String(200))

    crime_kind: Mapped[CrimeKind | None] = mapped_column(str_enum(CrimeKind, "crime_kind"))
    category: Mapped[Category] = mapped_column(str_enum(Category, "category"), index=True)
    incident_type: Mapped[str | None] = mapped_column(String(64), index=True)
    offence: Mapped[str | None] = mapped_column(String(32), index=True)

    victim_country: Mapped[str] = mapped_column(String(2), index=True)
    victim_type: Mapped[VictimType] = mapped_column(str_enum(VictimType, "victim_type"))
    occurred_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    description: Mapped[str] = mapped_column(Text)
    language: Mapped[str | None] = mapped_column(String(8))  # detected (py3langid)

    loss_amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    loss_currency: Mapped[str | None] = mapped_column(String(3))  # ISO 4217
    payment_method: Mapped[PaymentMethod | None] = mapped_column(
        str_enum(PaymentMethod, "payment_method")
    )
    # As given, after redaction of card numbers: [{"type": "iban", "value": "DE89..."}, ...]
    suspect_identifiers: Mapped[list[dict[str, Any]]] = mapped_column(JSON, default=list)

    # Personal data: encrypted, and deferred so lists never decrypt them. Read them through
    # service.reporter_contact(), which writes the audit entry.
    reporter_name: Mapped[str | None] = mapped_column(
        EncryptedString, deferred=True, deferred_group="contact"
    )
    reporter_email: Mapped[str | None] = mapped_column(
        EncryptedString, deferred=True, deferred_group="contact"
    )
    reporter_phone: Mapped[str | None] = mapped_column(
        EncryptedString, deferred=True, deferred_group="contact"
    )
    contact_consent: Mapped[bool] = mapped_column(Boolean, default=False)
    share_with_other_authorities: Mapped[bool] = mapped_column(Boolean, default=False)
    anonymous: Mapped[bool] = mapped_column(Boolean, default=False)

    status: Mapped[Status] = mapped_column(
        str_enum(Status, "report_status"), default=Status.NEW, index=True
    )
    close_reason: Mapped[str | None] = mapped_column(Text)
    status_secret_hash: Mapped[str | None] = mapped_column(String(64))
    assigned_to_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)

    attachments: Mapped[list[Attachment]] = relationship(
        back_populates="report", order_by="Attachment.created_at", cascade="all, delete-orphan"
    )
    notes: Mapped[list[Note]] = relationship(
        back_populates="report", order_by="Note.created_at", cascade="all, delete-orphan"
    )


class Attachment(IdMixin, Base):
    """A file given with a report. The bytes live content-addressed on disk under
    VAR_DIR/attachments/ab/cd/<sha256>; identical files are stored once."""

    __tablename__ = "report_attachments"

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))  # detected from magic bytes
    size: Mapped[int] = mapped_column(Integer)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))

    report: Mapped[Report] = relationship(back_populates="attachments")


class Note(IdMixin, Base):
    __tablename__ = "report_notes"

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    author_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    author_label: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    report: Mapped[Report] = relationship(back_populates="notes")


class ReferenceCounter(Base):
    """Last reference number handed out per country and year (upserted atomically)."""

    __tablename__ = "report_reference_counters"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    last: Mapped[int] = mapped_column(Integer, default=0)


class BulkImport(IdMixin, TimestampMixin, Base):
    """One run of `contactpoint reports import`; the resume point after a crash."""

    __tablename__ = "report_bulk_imports"

    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    file_sha256: Mapped[str] = mapped_column(String(64), index=True)
    filename: Mapped[str] = mapped_column(String(500))
    format: Mapped[str] = mapped_column(String(8))
    last_committed_line: Mapped[int] = mapped_column(Integer, default=0)
    accepted: Mapped[int] = mapped_column(Integer, default=0)
    duplicates: Mapped[int] = mapped_column(Integer, default=0)
    rejected: Mapped[int] = mapped_column(Integer, default=0)
    finished_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
