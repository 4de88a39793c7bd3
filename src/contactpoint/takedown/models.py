"""Takedown: the provider directory (directory_models) and notices to providers."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpoint.core.access import Marked
from contactpoint.core.crypto import EncryptedString
from contactpoint.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum, utcnow
from contactpoint.takedown.directory_models import (  # noqa: F401  (registers the tables)
    Provider,
    ProviderDomain,
    ProviderKind,
    ProviderNetwork,
)


class NoticeKind(StrEnum):
    """Each kind is a row of rule data (takedown/data/notice_kinds.yaml) with its citation."""

    DSA_ART16 = "dsa-art16"
    TCO_REMOVAL_ORDER = "tco-removal-order"
    VOLUNTARY_REFERRAL = "voluntary-referral"
    HOTLINE_NTD = "hotline-ntd"


class NoticeStatus(StrEnum):
    SENT = "sent"
    RECEIVED = "received"  # the provider acknowledged receipt
    REMOVED = "removed"
    DISABLED = "disabled"  # access disabled (in the EU, or in some states)
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


# The provider's answer ends the notice; so does the sender's withdrawal.
ACTED = (NoticeStatus.REMOVED, NoticeStatus.DISABLED, NoticeStatus.REFUSED)
CLOSED = (*ACTED, NoticeStatus.WITHDRAWN)


class Notice(IdMixin, TimestampMixin, Marked, Base):
    """A notice or removal order about one or more URLs, sent to the provider hosting them.

    The owner is the sending organisation; the provider's organisation is its only recipient
    (share_recipients), so the two of them, and nobody else, see it."""

    __tablename__ = "takedown_notices"
    __marked_type__ = "takedown_notice"
    __table_args__ = (
        UniqueConstraint("owner_org_id", "external_id", name="uq_takedown_notices_external_id"),
    )

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    kind: Mapped[NoticeKind] = mapped_column(str_enum(NoticeKind, "notice_kind", 24), index=True)
    status: Mapped[NoticeStatus] = mapped_column(
        str_enum(NoticeStatus, "notice_status", 12), default=NoticeStatus.SENT, index=True
    )
    provider_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("takedown_providers.id"), index=True)
    # How the provider was found ("domain example.org", "ip 192.0.2.1 in 192.0.2.0/24", "chosen").
    provider_match: Mapped[str | None] = mapped_column(String(300))
    issuing_country: Mapped[str] = mapped_column(String(2), index=True)
    category: Mapped[str] = mapped_column(String(40))  # a taxonomy crime kind
    report_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("reports.id"), index=True)
    # The kind's fields (legal basis, reasons, redress, good-faith statement...), as validated.
    fields: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    notifier_name: Mapped[str | None] = mapped_column(EncryptedString)
    notifier_email: Mapped[str | None] = mapped_column(EncryptedString)
    sent_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow, index=True)
    received_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)  # None: no clock
    paused_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    acted_at: Mapped[datetime | None] = mapped_column(UTCDateTime)  # when the provider acted
    action_note: Mapped[str | None] = mapped_column(Text)  # reason of a refusal, scope...
    verified_gone_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    reappeared: Mapped[bool] = mapped_column(Boolean, default=False)
    # The sender's own id for idempotent creation (a second POST returns the stored notice).
    external_id: Mapped[str | None] = mapped_column(String(200))
    # SHA-256 of the notice's canonical content at sending; signed timestamps name it.
    content_sha256: Mapped[str | None] = mapped_column(String(64))
    # Escalation already done, so the job tells nobody twice: {"tco-45min": iso, ...}.
    escalation: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)

    urls: Mapped[list[NoticeUrl]] = relationship(
        order_by="NoticeUrl.position", cascade="all, delete-orphan", lazy="selectin"
    )
    events: Mapped[list[NoticeEvent]] = relationship(
        order_by="NoticeEvent.seq", cascade="all, delete-orphan", lazy="selectin"
    )


class NoticeUrl(IdMixin, Base):
    __tablename__ = "takedown_notice_urls"

    notice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("takedown_notices.id", ondelete="CASCADE"), index=True
    )
    position: Mapped[int] = mapped_column(Integer, default=0)
    url: Mapped[str] = mapped_column(String(2048))
    host: Mapped[str] = mapped_column(String(253), index=True)
    ip: Mapped[str | None] = mapped_column(String(45))
    # The re-check job's last look: "present", "gone" or "error: ..." and when.
    check_result: Mapped[str | None] = mapped_column(String(200))
    checked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class NoticeEvent(IdMixin, Base):
    """Every step of a notice's life. Sending and receipt carry an authenticated timestamp
    (TCO Art. 3): a signature by the node's key over the event, so either side can prove it."""

    __tablename__ = "takedown_notice_events"

    notice_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("takedown_notices.id", ondelete="CASCADE"), index=True
    )
    seq: Mapped[int] = mapped_column(Integer, default=0)  # order within the notice
    at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    kind: Mapped[str] = mapped_column(String(40))
    actor_user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    detail: Mapped[dict[str, object]] = mapped_column(JSON, default=dict)
    actor_label: Mapped[str] = mapped_column(String(200), default="")
    signature: Mapped[str | None] = mapped_column(String(200))  # base64 Ed25519, 64 bytes


class NoticeCounter(Base):
    """The last reference number per issuing country and year. Taking a number is an
    UPDATE of this row, so two concurrent senders wait for each other instead of colliding."""

    __tablename__ = "takedown_notice_counters"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=False)
    value: Mapped[int] = mapped_column(Integer, default=0)
