"""The provider directory: who hosts what. A provider is found for a URL through its
domain (longest registered suffix wins) or its IP address (longest network prefix wins);
each provider has abuse contacts and, when it uses the platform, an organisation whose
provider operators answer notices in their portal."""

from __future__ import annotations

import uuid
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from contactpoint.core.db import Base, IdMixin, TimestampMixin, str_enum


class ProviderKind(StrEnum):
    HOSTING = "hosting"
    PLATFORM = "platform"
    ACCESS = "access"  # an ISP: blocks, does not host
    REGISTRAR = "registrar"
    CDN = "cdn"
    OTHER = "other"


class Provider(IdMixin, TimestampMixin, Base):
    __tablename__ = "takedown_providers"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[ProviderKind] = mapped_column(str_enum(ProviderKind, "provider_kind", 12))
    country: Mapped[str] = mapped_column(String(2), index=True)  # state of establishment
    # The organisation on the platform whose provider operators act on notices, if any.
    org_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("organisations.id"), index=True)
    abuse_email: Mapped[str | None] = mapped_column(String(254))
    abuse_url: Mapped[str | None] = mapped_column(String(2048))
    # TCO Art. 15: the point of contact that receives removal orders, when designated.
    tco_contact: Mapped[str | None] = mapped_column(String(254))
    notes: Mapped[str | None] = mapped_column(Text)
    active: Mapped[bool] = mapped_column(Boolean, default=True)


class ProviderNetwork(IdMixin, Base):
    """An IP range (CIDR) announced by the provider, with its autonomous system."""

    __tablename__ = "takedown_provider_networks"
    __table_args__ = (UniqueConstraint("cidr", name="uq_provider_network_cidr"),)

    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("takedown_providers.id", ondelete="CASCADE"), index=True
    )
    cidr: Mapped[str] = mapped_column(String(43))  # normalised by ipaddress.ip_network
    asn: Mapped[int | None] = mapped_column(Integer, index=True)
    # Integer bounds of the range as 32-hex-digit strings, for an indexed "start <= ip" lookup
    # that works the same on SQLite and PostgreSQL for IPv4 and IPv6.
    range_start: Mapped[str] = mapped_column(String(32), index=True)
    range_end: Mapped[str] = mapped_column(String(32))
    prefix_len: Mapped[int] = mapped_column(Integer)


class ProviderDomain(IdMixin, Base):
    """A domain the provider hosts or operates (and everything under it)."""

    __tablename__ = "takedown_provider_domains"

    provider_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("takedown_providers.id", ondelete="CASCADE"), index=True
    )
    domain: Mapped[str] = mapped_column(String(253), unique=True)  # IDNA, lower case
