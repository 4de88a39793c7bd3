"""Cases: linked reports, participating organisations, tasks, notes, evidence and its
chain of custody."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import (
    JSON,
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Integer,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpoint.core.access import Marked
from contactpoint.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow


class CaseStatus(StrEnum):
    OPEN = "open"
    SUSPENDED = "suspended"
    CLOSED = "closed"


class Case(IdMixin, TimestampMixin, Marked, Base):
    """An investigation. ``owner_org_id`` is the organisation that opened it; participants
    are share recipients of the case (core.access), so they see it and no one else does."""

    __tablename__ = "cases"
    __marked_type__ = "case"

    title: Mapped[str] = mapped_column(String(300))
    summary: Mapped[str] = mapped_column(Text, default="")
    status: Mapped[CaseStatus] = mapped_column(
        str_enum(CaseStatus, "case_status"), default=CaseStatus.OPEN, index=True
    )
    status_reason: Mapped[str | None] = mapped_column(Text)
    lead_investigator_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("users.id"), index=True
    )

    participants: Mapped[list[CaseParticipant]] = relationship(
        back_populates="case", order_by="CaseParticipant.invited_at", cascade="all, delete-orphan"
    )
    tasks: Mapped[list[CaseTask]] = relationship(
        back_populates="case", order_by="CaseTask.created_at", cascade="all, delete-orphan"
    )
    notes: Mapped[list[CaseNote]] = relationship(
        back_populates="case", order_by="CaseNote.created_at", cascade="all, delete-orphan"
    )


class CaseReport(Base):
    """A report linked to a case (many-to-many)."""

    __tablename__ = "case_reports"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), primary_key=True
    )
    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True, index=True
    )
    linked_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    linked_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class CaseParticipant(IdMixin, Base):
    """An organisation invited to a case (another country's unit, the EU contact point)."""

    __tablename__ = "case_participants"
    __table_args__ = (UniqueConstraint("case_id", "org_id", name="uq_case_participants_case_org"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    invited_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    invited_by_label: Mapped[str] = mapped_column(String(200))
    reason: Mapped[str | None] = mapped_column(Text)

    case: Mapped[Case] = relationship(back_populates="participants")


class CaseTask(IdMixin, TimestampMixin, Base):
    __tablename__ = "case_tasks"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    title: Mapped[str] = mapped_column(String(300))
    assignee_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"), index=True)
    due_on: Mapped[date | None] = mapped_column(Date)
    done: Mapped[bool] = mapped_column(Boolean, default=False)
    done_at: Mapped[datetime | None] = mapped_column(UTCDateTime)

    case: Mapped[Case] = relationship(back_populates="tasks")


class CaseNote(IdMixin, Base):
    __tablename__ = "case_notes"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    author_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    author_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    author_label: Mapped[str] = mapped_column(String(200))
    body: Mapped[str] = mapped_column(Text)
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)

    case: Mapped[Case] = relationship(back_populates="notes")


class Evidence(IdMixin, TimestampMixin, Marked, Base):
    """An evidence file. Its markings and recipients mirror its case's (kept in step by
    cases.service), so it is visible exactly when the case is. The bytes are encrypted
    under VAR_DIR/evidence/<sha256>.enc (cases.vault)."""

    __tablename__ = "case_evidence"
    __marked_type__ = "evidence"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("cases.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(255))
    content_type: Mapped[str] = mapped_column(String(100))
    size: Mapped[int] = mapped_column(BigInteger().with_variant(Integer, "sqlite"))
    sha256: Mapped[str] = mapped_column(String(64), index=True)
    description: Mapped[str] = mapped_column(Text, default="")
    # Acquisition: who obtained it, when, how, and from whom or where.
    acquired_at: Mapped[datetime] = mapped_column(UTCDateTime)
    acquired_by: Mapped[str] = mapped_column(String(200))
    acquisition_method: Mapped[str] = mapped_column(String(500))
    source: Mapped[str] = mapped_column(String(500))
    custodian_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    uploaded_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class CustodyAction(StrEnum):
    ACQUIRED = "acquired"
    VIEWED = "viewed"
    DOWNLOADED = "downloaded"
    TRANSFERRED = "transferred"


class CustodyEntry(IdMixin, Base):
    """One link of an evidence item's chain of custody: append-only and hash-chained with
    the same canonical form as the audit log (core.audit.chain_digest)."""

    __tablename__ = "case_custody_log"
    __table_args__ = (UniqueConstraint("evidence_id", "seq", name="uq_case_custody_log_seq"),)

    evidence_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("case_evidence.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer)
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    action: Mapped[CustodyAction] = mapped_column(str_enum(CustodyAction, "custody_action"))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column()
    actor_label: Mapped[str] = mapped_column(String(200))
    from_org_id: Mapped[uuid.UUID | None] = mapped_column()
    to_org_id: Mapped[uuid.UUID | None] = mapped_column()
    reason: Mapped[str | None] = mapped_column(Text)
    details: Mapped[dict[str, Any] | None] = mapped_column(JSON)
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64))
