"""Pydantic models of the cooperation API."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from contactpoint.core.markings import TLP


class RequestIn(BaseModel):
    """A draft request. ``send: true`` sends it at once (all checks of sending apply)."""

    model_config = ConfigDict(extra="forbid")

    type_code: str = Field(description="request type, e.g. preservation-mla (GET /types)")
    subject: str = Field(min_length=3, max_length=300)
    receiving_country: str | None = Field(
        None, min_length=2, max_length=2, description="default: the receiving organisation's"
    )
    receiving_org_id: uuid.UUID | None = Field(
        None, description="default: the country's contact point organisation in the directory"
    )
    emergency: bool = False
    fields: dict[str, str] = Field(
        default_factory=dict, description="the type's fields by name (GET /types)"
    )
    legal_basis: str | None = Field(
        None, max_length=2000, description="required where no treaty basis is found"
    )
    data_categories: list[Literal["subscriber", "identification", "traffic", "content"]] = Field(
        default_factory=list, description="e-Evidence orders: which data (notification rule)"
    )
    case_id: uuid.UUID | None = None
    tlp: Literal[TLP.AMBER, TLP.AMBER_STRICT] = TLP.AMBER_STRICT
    send: bool = False


class StepIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    note: str | None = Field(None, max_length=20000)


class TextIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20000)


class AnswerIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    text: str = Field(min_length=1, max_length=20000)
    partial: bool = False


class RefuseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    ground: str = Field(min_length=3, max_length=20000)


class EventIn(BaseModel):
    model_config = ConfigDict(extra="forbid")
    kind: Literal["extended", "validated", "mla_received", "production_confirmed", "withdrawn"]
    clock: str | None = None
    note: str | None = Field(None, max_length=20000)


class ClockOut(BaseModel):
    name: str
    label: str
    state: str
    party: str
    started_at: datetime | None
    due_at: datetime | None
    remaining_seconds: int | None
    paused_seconds: int
    extensions: int
    finished_at: datetime | None
    late: bool
    citation: str
    check: bool


class EventOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    kind: str
    at: datetime
    clock: str | None
    actor_label: str
    actor_org_id: uuid.UUID | None
    body: str | None


class RequestOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    id: uuid.UUID
    reference: str
    type_code: str
    status: str
    emergency: bool
    subject: str
    requesting_country: str
    receiving_country: str
    owner_org_id: uuid.UUID | None
    receiving_org_id: uuid.UUID
    case_id: uuid.UUID | None
    fields: dict[str, str]
    legal_basis: str | None
    basis_warning: str | None
    data_categories: list[str]
    notify_enforcing_state: bool
    tlp: str
    sent_at: datetime | None
    acknowledged_at: datetime | None
    answered_at: datetime | None
    refusal_ground: str | None
    seconds_to_acknowledge: int | None
    seconds_to_answer: int | None
    created_at: datetime


class RequestDetail(RequestOut):
    clocks: list[ClockOut]
    timeline: list[EventOut]


class ProposalOut(BaseModel):
    suggested: list[str]
    basis: dict[str, bool]
    reasons: list[str]
    warnings: list[str]


class DirectoryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)
    country: str
    name: str
    eu_member: bool
    eevidence_bound: bool
    contact_24_7: str | None
    central_authority: str | None
    eevidence_authority: str | None
    contact_point_org_id: uuid.UUID | None
    ets185: str
    ets185_date: date | None
    ets185_check: bool
    cets224: str
    cets224_date: date | None
    cets224_check: bool
    as_of: date | None
    source: str | None
    notes: str | None
