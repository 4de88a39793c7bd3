"""Pydantic models of the notices API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from contactpoint.core.markings import TLP
from contactpoint.taxonomy.vocab import CrimeKind

Action = Literal["removed", "disabled", "refused"]


class NoticeIn(BaseModel):
    """A notice or removal order. The provider is found from the URLs through the provider
    directory unless ``provider_id`` names it."""

    model_config = ConfigDict(extra="forbid")

    kind: str = Field(description="dsa-art16, tco-removal-order, voluntary-referral, hotline-ntd")
    urls: list[str] = Field(min_length=1, max_length=200, description="the exact URL(s)")
    provider_id: uuid.UUID | None = Field(None, description="default: found from the URLs")
    category: CrimeKind = Field(
        description="crime kind of the content, e.g. csam, terrorist-content"
    )
    fields: dict[str, str] = Field(default_factory=dict, description="the kind's fields by name")
    notifier_name: str | None = Field(None, max_length=200)
    notifier_email: str | None = Field(None, max_length=254)
    report_id: uuid.UUID | None = None
    external_id: str | None = Field(
        None, max_length=200, description="your id: sending it again returns the stored notice"
    )
    tlp: Literal[TLP.AMBER, TLP.AMBER_STRICT] = TLP.AMBER_STRICT


class ActionIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    action: Action
    reason: str | None = Field(None, max_length=20000, description="required for refused")
    acted_at: datetime | None = Field(None, description="when it was done; default now")


class ReasonIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    reason: str = Field(min_length=3, max_length=20000)


class ClockOut(BaseModel):
    state: str
    text: str
    label: str
    legal: bool
    citation: str
    due_at: datetime | None
    remaining_seconds: int | None
    late: bool


class UrlOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    url: str
    host: str
    ip: str | None
    check_result: str | None
    checked_at: datetime | None


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    seq: int
    at: datetime
    kind: str
    actor_label: str
    actor_org_id: uuid.UUID | None
    detail: dict[str, Any]
    signature: str | None


class NoticeOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    reference: str
    kind: str
    status: str
    provider_id: uuid.UUID
    provider_match: str | None
    issuing_country: str
    category: str
    report_id: uuid.UUID | None
    owner_org_id: uuid.UUID | None
    fields: dict[str, Any]
    notifier_name: str | None
    notifier_email: str | None
    external_id: str | None
    tlp: str
    sent_at: datetime
    received_at: datetime | None
    due_at: datetime | None
    paused_at: datetime | None
    paused_seconds: int
    acted_at: datetime | None
    action_note: str | None
    verified_gone_at: datetime | None
    reappeared: bool
    content_sha256: str | None
    urls: list[UrlOut]


class NoticeDetail(NoticeOut):
    clock: ClockOut
    scrutiny_due_at: datetime | None
    events: list[EventOut]


class NoticePage(BaseModel):
    items: list[NoticeDetail]
    next_cursor: str | None


class TimestampOut(BaseModel):
    event_id: uuid.UUID
    event: str
    reference: str
    at: str
    content_sha256: str
    payload: str = Field(description="the exact signed bytes (canonical JSON)")
    signature: str = Field(description="base64 Ed25519 signature over payload")
    valid: bool


class TimestampsOut(BaseModel):
    algorithm: str = "Ed25519"
    public_key_pem: str
    content_sha256_now: str = Field(description="the notice content's hash as stored now")
    timestamps: list[TimestampOut]
