"""Campaigns: reports linked through shared indicators, persisted so that a restart needs
no full recompute. Membership is stored for campaigns of two or more reports only."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import JSON, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contactpoint.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum
from contactpoint.correlation.states import LinkState


class Campaign(IdMixin, TimestampMixin, Base):
    """Totals over all members (for the engine and operators); pages and the API compute
    their own totals over the members the caller may see."""

    __tablename__ = "campaigns"

    size: Mapped[int] = mapped_column(Integer, default=0, index=True)
    countries: Mapped[list[str]] = mapped_column(JSON, default=list)
    first_seen: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_seen: Mapped[datetime | None] = mapped_column(UTCDateTime, index=True)


class CampaignMember(Base):
    __tablename__ = "campaign_members"

    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), primary_key=True
    )
    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), index=True
    )


class IndicatorLinkState(IdMixin, TimestampMixin, Base):
    """How one indicator takes part in linking, when not the default (it links)."""

    __tablename__ = "correlation_indicator_states"

    indicator_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("indicators.id", ondelete="CASCADE"), unique=True
    )
    state: Mapped[LinkState] = mapped_column(str_enum(LinkState, "correlation_link_state"))
    reason: Mapped[str | None] = mapped_column(Text)
    changed_by_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))


class ManualLink(IdMixin, TimestampMixin, Base):
    """A merge: a manual key that joins the reports holding it (never over-correlating)."""

    __tablename__ = "correlation_manual_links"
    __table_args__ = (UniqueConstraint("key", "report_id", name="uq_manual_link"),)

    key: Mapped[str] = mapped_column(String(40), index=True)
    report_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("reports.id", ondelete="CASCADE"))
    reason: Mapped[str] = mapped_column(Text)


class CampaignNotice(Base):
    """How many member reports from ``country`` a campaign had when its contact points were
    last told: a repeat or a restart notifies only about growth past this count."""

    __tablename__ = "campaign_notices"

    campaign_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("campaigns.id", ondelete="CASCADE"), primary_key=True
    )
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    notified_count: Mapped[int] = mapped_column(Integer, default=0)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)


class CampaignFollow(IdMixin, TimestampMixin, Base):
    """A user follows a campaign: told when it grows, whatever countries it spans.

    Anchored to a member report the user could see when they followed, not to the campaign's
    id: merges, splits and recomputes may give the campaign another id, and the follow goes
    on with whichever campaign the report is in (none while it is in none)."""

    __tablename__ = "campaign_follows"
    __table_args__ = (UniqueConstraint("user_id", "report_id"),)

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    report_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("reports.id", ondelete="CASCADE"), index=True
    )
    # Member reports per country at the follow or the last notice: growth is told past it.
    counts: Mapped[dict[str, int]] = mapped_column(JSON, default=dict)
    notified_at: Mapped[datetime] = mapped_column(UTCDateTime)
