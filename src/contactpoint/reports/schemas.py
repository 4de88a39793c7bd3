"""The shape of a report, shared by the API, the public form and bulk files (CSV, JSONL).

One schema means one set of rules: a row that the API would refuse is refused by the
importer with the same field name and message.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, date, datetime
from decimal import Decimal
from typing import Annotated, Any

from babel.numbers import list_currencies
from pydantic import (
    BaseModel,
    ConfigDict,
    Field,
    ValidationError,
    ValidationInfo,
    field_validator,
)

import contactpoint.taxonomy.service as taxonomy
from contactpoint.core import errors
from contactpoint.core.db import utcnow
from contactpoint.core.markings import PAP, TLP, HandlingCode
from contactpoint.core.paging import Page  # noqa: F401  (re-exported)
from contactpoint.reports.models import Report, Source, Status
from contactpoint.taxonomy.vocab import (
    Category,
    CrimeKind,
    IdentifierType,
    PaymentMethod,
    VictimType,
)

MAX_DESCRIPTION = 20_000  # characters; longer narratives belong in an attachment
MAX_IDENTIFIERS = 50
MAX_ATTACHMENT_BYTES = 10 * 1024 * 1024
MAX_ATTACHMENTS = 10
CURRENCIES = frozenset(list_currencies())

Str200 = Annotated[str, Field(min_length=1, max_length=200)]

__all__ = [
    "AttachmentIn",
    "NoteIn",
    "PublicStatus",
    "ReportFilter",
    "ReportIn",
    "ReportOut",
    "ReporterContact",
    "Source",
    "Status",
    "SubmitResult",
    "SuspectIdentifier",
    "TriageIn",
    "field_errors",
]


class SuspectIdentifier(BaseModel):
    model_config = ConfigDict(extra="forbid")

    type: IdentifierType
    value: str = Field(min_length=1, max_length=500)


class ReportIn(BaseModel):
    """A report as an organisation, a bulk file or the public form gives it.

    Field order matters: later validators read earlier fields. ``validate_default`` runs the
    validators that derive or cross-check values even when a field is absent.
    """

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True, validate_default=True)

    external_id: str | None = Field(
        None, max_length=200, description="Your own id; a second submission is not a duplicate."
    )
    crime_kind: CrimeKind | None = Field(
        None, description="Citizen-facing kind; fills category, incident type and offence."
    )
    category: Category | None = Field(None, description="Required unless crime_kind is given.")
    incident_type: str | None = Field(None, max_length=64, description="RSIT value, e.g. phishing")
    offence: str | None = Field(None, max_length=32, description="Offence code, e.g. ets185-art8")
    victim_country: str = Field(description="ISO 3166-1 alpha-2 country of the victim")
    victim_type: VictimType = VictimType.PERSON
    occurred_at: datetime | None = Field(None, description="When it happened (not in the future)")
    description: str = Field(min_length=1, max_length=MAX_DESCRIPTION)
    loss_amount: Decimal | None = Field(None, ge=0, max_digits=16, decimal_places=2)
    loss_currency: str | None = Field(None, description="ISO 4217, required with loss_amount")
    payment_method: PaymentMethod | None = None
    suspect_identifiers: list[SuspectIdentifier] = Field(
        default_factory=list, max_length=MAX_IDENTIFIERS
    )
    reporter_name: str | None = Field(None, max_length=200)
    reporter_email: str | None = Field(None, max_length=254, pattern=r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
    reporter_phone: str | None = Field(None, max_length=40, pattern=r"^\+?[0-9 ()./-]{4,40}$")
    contact_consent: bool = False
    share_with_other_authorities: bool = False
    anonymous: bool = False
    tlp: TLP | None = Field(None, description="Default AMBER")
    pap: PAP | None = Field(None, description="Default AMBER")

    @field_validator("category", mode="after")
    @classmethod
    def _category(cls, value: Category | None, info: ValidationInfo) -> Category:
        kind = info.data.get("crime_kind")
        if value is None:
            if kind is None:
                raise ValueError("give a category or a crime_kind")
            return taxonomy.crime_kind(kind).category
        if kind is not None and taxonomy.crime_kind(kind).category is not value:
            expected = taxonomy.crime_kind(kind).category.value
            raise ValueError(f"crime_kind {kind.value} belongs to {expected}, not {value.value}")
        return value

    @field_validator("incident_type", mode="after")
    @classmethod
    def _incident_type(cls, value: str | None, info: ValidationInfo) -> str | None:
        category = info.data.get("category")
        kind = info.data.get("crime_kind")
        if value is None:
            return taxonomy.crime_kind(kind).incident_type if kind else None
        if category is not None and value not in taxonomy.incident_type_ids(category):
            raise ValueError(
                f"unknown incident type {value!r} for category {category.value}; "
                "see GET /api/v1/taxonomy"
            )
        return value

    @field_validator("offence", mode="after")
    @classmethod
    def _offence(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is None:
            kind = info.data.get("crime_kind")
            return taxonomy.crime_kind(kind).offence if kind else None
        if value not in taxonomy.offence_codes():
            raise ValueError(f"unknown offence code {value!r}; see GET /api/v1/taxonomy")
        return value

    @field_validator("victim_country", mode="before")
    @classmethod
    def _country(cls, value: Any) -> Any:
        if isinstance(value, str):
            value = value.strip().upper()
            if value not in taxonomy.countries():
                raise ValueError(f"{value!r} is not an ISO 3166-1 alpha-2 country code")
        return value

    @field_validator("occurred_at", mode="after")
    @classmethod
    def _occurred(cls, value: datetime | None) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            value = value.replace(tzinfo=UTC)  # a date without zone is read as UTC
        if value > utcnow():
            raise ValueError("must not be in the future")
        return value.astimezone(UTC)

    @field_validator("loss_currency", mode="after")
    @classmethod
    def _currency(cls, value: str | None, info: ValidationInfo) -> str | None:
        if value is not None:
            value = value.upper()
            if value not in CURRENCIES:
                raise ValueError(f"{value!r} is not an ISO 4217 currency code")
        if value is None and info.data.get("loss_amount") is not None:
            raise ValueError("required when loss_amount is given")
        return value

    @field_validator("anonymous", mode="after")
    @classmethod
    def _anonymous(cls, value: bool, info: ValidationInfo) -> bool:
        given = [
            f for f in ("reporter_name", "reporter_email", "reporter_phone") if info.data.get(f)
        ]
        if value and given:
            raise ValueError(f"an anonymous report carries no contact details ({', '.join(given)})")
        return value


@dataclass
class AttachmentIn:
    filename: str
    content: bytes
    content_type: str | None = None  # as declared by the sender; the stored type is detected


class TriageIn(BaseModel):
    """Only the fields that are set change; an explicit null for assigned_to_id unassigns."""

    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: Category | None = None
    incident_type: str | None = Field(None, max_length=64)
    offence: str | None = Field(None, max_length=32)
    tlp: TLP | None = None
    pap: PAP | None = None
    handling_code: HandlingCode | None = None
    handling_text: str | None = Field(None, max_length=500)
    assigned_to_id: uuid.UUID | None = None
    status: Status | None = None
    close_reason: str | None = Field(None, max_length=2000)
    note: str | None = Field(None, max_length=MAX_DESCRIPTION)


class NoteIn(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    body: str = Field(min_length=1, max_length=MAX_DESCRIPTION)


class ReportFilter(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)

    category: Category | None = None
    crime_kind: CrimeKind | None = None
    incident_type: str | None = None
    offence: str | None = None
    victim_country: str | None = None
    status: Status | None = None
    source: Source | None = None
    assigned_to_id: uuid.UUID | None = None
    date_from: date | None = Field(None, description="received on or after (UTC day)")
    date_to: date | None = Field(None, description="received on or before (UTC day)")
    q: str | None = Field(None, max_length=200, description="full-text search in descriptions")


class ReportOut(BaseModel):
    """A report as the API shows it; contact details only through /contact (audited)."""

    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    reference: str
    source: Source
    reporting_org_id: uuid.UUID | None
    owner_org_id: uuid.UUID | None
    external_id: str | None
    crime_kind: CrimeKind | None
    category: Category
    incident_type: str | None
    offence: str | None
    victim_country: str
    victim_type: VictimType
    occurred_at: datetime | None
    description: str
    language: str | None
    loss_amount: Decimal | None
    loss_currency: str | None
    payment_method: PaymentMethod | None
    suspect_identifiers: list[dict[str, Any]]
    contact_consent: bool
    share_with_other_authorities: bool
    anonymous: bool
    tlp: TLP
    pap: PAP
    handling_code: HandlingCode | None
    status: Status
    close_reason: str | None
    assigned_to_id: uuid.UUID | None
    attachments: list[AttachmentOut] = []
    created_at: datetime
    updated_at: datetime


class AttachmentOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    filename: str
    content_type: str
    size: int
    sha256: str
    created_at: datetime


class NoteOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    author_label: str
    body: str
    created_at: datetime


ReportOut.model_rebuild()


@dataclass
class ReporterContact:
    name: str | None
    email: str | None
    phone: str | None
    contact_consent: bool
    share_with_other_authorities: bool


@dataclass
class SubmitResult:
    report: Report
    created: bool  # False when the organisation's external_id was already known
    status_secret: str | None = None  # citizen reports: shown once, stored hashed


@dataclass
class PublicStatus:
    reference: str
    status: Status
    received_on: date
    last_change_on: date


def field_errors(exc: ValidationError) -> list[dict[str, Any]]:
    """Pydantic errors as [{"field": "loss_currency", "message": ...}] (problem+json shape)."""
    return errors.field_errors(exc, whole="(report)")
