"""Pydantic models of the blocking API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class EntryIn(BaseModel):
    kind: str = Field(description="domain, url or ip")
    value: str = Field(max_length=2048)
    block_host: bool = Field(
        False,
        description="For a URL: block its whole host in DNS (RPZ, hosts) too. "
        "Otherwise a URL is only in the hash-prefix list.",
    )
    category: str = Field(description="A crime kind of the taxonomy, e.g. phishing, csam")
    legal_basis: str
    decision_reference: str
    valid_from: datetime | None = None
    valid_until: datetime | None = None
    redress_text: str = Field(description="How to seek redress (shown on the stop page)")
    redress_url: str | None = None


class EntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    kind: str
    value: str
    host: str
    block_host: bool
    category: str
    legal_basis: str
    decision_reference: str
    valid_from: datetime
    valid_until: datetime | None
    redress_text: str
    redress_url: str | None
    created_at: datetime
    withdrawn_at: datetime | None
    withdrawn_reason: str | None


class WithdrawIn(BaseModel):
    reason: str


class ListSettingsIn(BaseModel):
    landing_host: str | None = Field(
        None, description="Host RPZ answers point to (CNAME); empty for NXDOMAIN"
    )
    wildcard: bool = Field(True, description="Also block every subdomain of a domain entry")


class ListOut(BaseModel):
    country: str
    landing_host: str | None
    wildcard: bool
    versions: str


class VersionOut(BaseModel):
    serial: int
    published_at: datetime
    entry_count: int
    hash_checksum: str
    files: dict[str, str]


class CheckIn(BaseModel):
    url: str = Field(max_length=4096)


class BulkOut(BaseModel):
    added: int
    skipped: int
    errors: list[dict[str, object]]
