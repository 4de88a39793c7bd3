"""Pydantic models of the provider directory API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class ProviderIn(BaseModel):
    name: str = Field(max_length=200)
    kind: str = Field("hosting", description="hosting, platform, access, registrar, cdn, other")
    country: str = Field(description="State of establishment, two letters")
    org: str | None = Field(
        None, description="Name or id of the organisation that answers notices on the platform"
    )
    abuse_email: str | None = None
    abuse_url: str | None = None
    tco_contact: str | None = Field(None, description="TCO Art. 15 point of contact")
    notes: str | None = None


class ProviderPatch(BaseModel):
    """Only the fields given change; `active: false` deactivates the provider."""

    name: str | None = Field(None, max_length=200)
    kind: str | None = None
    country: str | None = None
    org: str | None = None
    abuse_email: str | None = None
    abuse_url: str | None = None
    tco_contact: str | None = None
    notes: str | None = None
    active: bool | None = None


class NetworkIn(BaseModel):
    cidr: str = Field(description="IPv4 or IPv6 network, e.g. 192.0.2.0/24")
    asn: int | str | None = Field(None, description="AS number (64500 or AS64500)")


class DomainIn(BaseModel):
    domain: str


class NetworkOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    cidr: str
    asn: int | None


class DomainOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    domain: str


class ProviderOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: str
    country: str
    org_id: uuid.UUID | None
    abuse_email: str | None
    abuse_url: str | None
    tco_contact: str | None
    notes: str | None
    active: bool
    created_at: datetime
    updated_at: datetime


class ProviderPage(BaseModel):
    items: list[ProviderOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page.")


class ProviderDetail(ProviderOut):
    networks: list[NetworkOut]
    domains: list[DomainOut]


class ResolutionOut(BaseModel):
    found: bool
    provider: ProviderOut | None = None
    matched_by: str | None = Field(None, description="domain or ip")
    matched: str | None = Field(None, description="The domain or network (with AS) that matched")
    ip: str | None = None


class ImportOut(BaseModel):
    created: dict[str, int]
    errors: list[dict[str, object]]
