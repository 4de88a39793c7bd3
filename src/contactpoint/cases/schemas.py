"""Pydantic shapes of the cases API and the plain values the services take."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any, Literal

from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

from contactpoint.cases.models import CaseStatus, CustodyAction
from contactpoint.core.markings import TLP
from contactpoint.core.paging import Page  # noqa: F401  (re-exported)

# Participants are organisations, so a case is shared by organisation: AMBER (the owner,
# the participants and their need-to-know) or AMBER+STRICT (those organisations only).
CaseTLP = Literal["AMBER", "AMBER+STRICT"]


class CaseIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    summary: str = Field("", max_length=20000)
    report_ids: list[uuid.UUID] = Field(default_factory=list, max_length=500)
    lead_investigator_id: uuid.UUID | None = None
    tlp: CaseTLP = "AMBER"


class StatusIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CaseStatus
    reason: str | None = Field(None, max_length=5000, validate_default=True)

    @field_validator("reason")
    @classmethod
    def _reason(cls, value: str | None, info: ValidationInfo) -> str | None:
        status = info.data.get("status")
        if status is not None and status is not CaseStatus.OPEN and not (value or "").strip():
            raise ValueError(f"a reason is required to set the case {status.value}")
        return value.strip() if value else None


class LinkIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    report_ids: list[uuid.UUID] = Field(min_length=1, max_length=500)


class ParticipantIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org_id: uuid.UUID
    reason: str | None = Field(None, max_length=2000)


class TaskIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    title: str = Field(min_length=1, max_length=300)
    assignee_id: uuid.UUID | None = None
    due_on: date | None = None


class TaskUpdate(BaseModel):
    """Only the fields given change; ``assignee_id``/``due_on`` may be set to null."""

    model_config = ConfigDict(extra="forbid")

    title: str | None = Field(None, min_length=1, max_length=300)
    assignee_id: uuid.UUID | None = None
    due_on: date | None = None
    done: bool | None = None


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    body: str = Field(min_length=1, max_length=20000)


class TransferIn(BaseModel):
    model_config = ConfigDict(extra="forbid")

    to_org_id: uuid.UUID
    reason: str = Field(min_length=3, max_length=2000)


class CaseFilter(BaseModel):
    model_config = ConfigDict(extra="forbid")

    status: CaseStatus | None = None
    q: str | None = Field(None, max_length=200)


@dataclass
class EvidenceIn:
    """What an investigator declares with an uploaded file (the bytes come as a stream)."""

    filename: str
    acquired_by: str
    acquisition_method: str
    source: str
    acquired_at: datetime | None = None
    description: str = ""
    content_type: str | None = None
    sha256: str | None = None  # the client's declared hash: a mismatch is refused


class ParticipantOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    org_id: uuid.UUID
    invited_at: datetime
    invited_by_label: str
    reason: str | None


class CaseOut(BaseModel):
    id: uuid.UUID
    title: str
    summary: str
    status: CaseStatus
    status_reason: str | None
    owner_org_id: uuid.UUID | None
    lead_investigator_id: uuid.UUID | None
    tlp: TLP
    created_at: datetime
    updated_at: datetime
    report_ids: list[uuid.UUID] = Field(description="linked reports that you may see")
    hidden_reports: int = Field(description="linked reports that your markings do not show")
    participants: list[ParticipantOut]


class TaskOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    assignee_id: uuid.UUID | None
    due_on: date | None
    done: bool
    done_at: datetime | None
    created_at: datetime


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    author_label: str
    body: str
    created_at: datetime


class EvidenceOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    case_id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    description: str
    acquired_at: datetime
    acquired_by: str
    acquisition_method: str
    source: str
    custodian_org_id: uuid.UUID | None
    created_at: datetime


class CustodyEntryOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    seq: int
    at: datetime
    action: CustodyAction
    actor_label: str
    actor_org_id: uuid.UUID | None
    from_org_id: uuid.UUID | None
    to_org_id: uuid.UUID | None
    reason: str | None
    details: dict[str, Any] | None
    prev_hash: str
    hash: str


class CustodyOut(BaseModel):
    evidence: EvidenceOut
    entries: list[CustodyEntryOut]
    chain_ok: bool
    problem: str | None = None


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors in the problem+json shape: [{"field": ..., "message": ...}]."""
    out = []
    for err in exc.errors():
        name = ".".join(str(p) for p in err["loc"]) or "reason"
        out.append({"field": name, "message": err["msg"].removeprefix("Value error, ")})
    return out
