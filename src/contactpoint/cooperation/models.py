"""Cooperation requests, their timeline, and the directory of states."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import JSON, Boolean, Date, ForeignKey, Integer, String, Text
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpoint.core.access import Marked
from contactpoint.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum


class Status(StrEnum):
    DRAFT = "draft"
    SENT = "sent"
    ACKNOWLEDGED = "acknowledged"
    CLARIFICATION = "clarification"  # the receiver asked; waiting for the requester
    ANSWERED_PARTLY = "answered-partly"
    ANSWERED = "answered"
    REFUSED = "refused"
    WITHDRAWN = "withdrawn"


CLOSED = (Status.ANSWERED, Status.REFUSED, Status.WITHDRAWN)


class CoopRequest(IdMixin, TimestampMixin, Marked, Base):
    """One request from the owner organisation (requester) to one receiving organisation.

    The receiver is the request's only recipient (share_recipients), so only the two
    organisations see it; everyone else gets 404 through core.access.
    """

    __tablename__ = "coop_requests"
    __marked_type__ = "coop_request"

    reference: Mapped[str] = mapped_column(String(40), unique=True)
    type_code: Mapped[str] = mapped_column(String(40), index=True)
    status: Mapped[Status] = mapped_column(
        str_enum(Status, "coop_status"), default=Status.DRAFT, index=True
    )
    emergency: Mapped[bool] = mapped_column(Boolean, default=False)
    subject: Mapped[str] = mapped_column(String(300))
    requesting_country: Mapped[str] = mapped_column(String(2))
    receiving_country: Mapped[str] = mapped_column(String(2))
    receiving_org_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    # The case this request serves. Named by table only: cooperation never imports cases.
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("cases.id", ondelete="SET NULL"), nullable=True, index=True
    )
    fields: Mapped[dict[str, Any]] = mapped_column(JSON, default=dict)
    legal_basis: Mapped[str | None] = mapped_column(Text)  # stated by the sender
    basis_warning: Mapped[str | None] = mapped_column(Text)  # no treaty basis found
    data_categories: Mapped[list[str]] = mapped_column(JSON, default=list)
    notify_enforcing_state: Mapped[bool] = mapped_column(Boolean, default=False)
    sent_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    acknowledged_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    answered_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    handler_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    refusal_ground: Mapped[str | None] = mapped_column(Text)
    # Statistics hooks (the stats area reads them): seconds from receipt, pauses included.
    seconds_to_acknowledge: Mapped[int | None] = mapped_column(Integer)
    seconds_to_answer: Mapped[int | None] = mapped_column(Integer)
    # Escalation already done per clock: {"acknowledge": "reminded" | "escalated"}.
    escalation: Mapped[dict[str, str]] = mapped_column(JSON, default=dict)
    # Open clocks' earliest due time, kept for cheap "due soon"/"overdue" queries.
    next_due_at: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)

    events: Mapped[list[CoopEvent]] = relationship(
        back_populates="request", order_by="CoopEvent.at", cascade="all, delete-orphan"
    )


class CoopEvent(IdMixin, Base):
    """One step of a request's timeline; also the input of the clocks (deadlines.Event)."""

    __tablename__ = "coop_request_events"

    request_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("coop_requests.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(40))
    at: Mapped[datetime] = mapped_column(UTCDateTime)
    clock: Mapped[str | None] = mapped_column(String(40))  # for extensions
    actor_label: Mapped[str] = mapped_column(String(200))
    actor_org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"))
    body: Mapped[str | None] = mapped_column(Text)

    request: Mapped[CoopRequest] = relationship(back_populates="events")


class DirectoryEntry(IdMixin, TimestampMixin, Base):
    """What one state offers for cooperation, and its treaty status (an operator edits it)."""

    __tablename__ = "coop_directory"

    country: Mapped[str] = mapped_column(String(2), unique=True)
    name: Mapped[str] = mapped_column(String(100))
    eu_member: Mapped[bool] = mapped_column(Boolean, default=False)
    eevidence_bound: Mapped[bool] = mapped_column(Boolean, default=False)
    contact_24_7: Mapped[str | None] = mapped_column(Text)
    central_authority: Mapped[str | None] = mapped_column(Text)
    eevidence_authority: Mapped[str | None] = mapped_column(Text)
    # The organisation on this platform that receives requests for this state, if any.
    contact_point_org_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("organisations.id"), nullable=True
    )
    ets185: Mapped[str] = mapped_column(String(20), default="none")  # party|signed|none
    ets185_date: Mapped[date | None] = mapped_column(Date)
    ets185_check: Mapped[bool] = mapped_column(Boolean, default=False)
    cets224: Mapped[str] = mapped_column(String(20), default="none")
    cets224_date: Mapped[date | None] = mapped_column(Date)
    cets224_check: Mapped[bool] = mapped_column(Boolean, default=False)
    as_of: Mapped[date | None] = mapped_column(Date)
    source: Mapped[str | None] = mapped_column(Text)
    notes: Mapped[str | None] = mapped_column(Text)
