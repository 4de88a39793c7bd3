"""API shapes for organisations, users and tokens."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class OrganisationIn(BaseModel):
    name: str = Field(..., examples=["Police nationale — OFAC"])
    kind: str = Field(..., examples=["law-enforcement"])
    country: str = Field(..., description="ISO 3166-1 alpha-2 (upper case), or EU.")


class OrganisationOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    name: str
    kind: str
    country: str
    active: bool


class UserIn(BaseModel):
    email: str
    organisation: str = Field(..., description="Organisation id or exact name.")
    roles: list[str]
    password: str = Field(..., description="At least 12 characters.")
    display_name: str | None = None


class UserOut(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    email: str
    display_name: str
    organisation_id: uuid.UUID
    roles: list[str]
    active: bool
    totp_enrolled: bool


class TokenIn(BaseModel):
    organisation: str = Field(..., description="Organisation id or exact name.")
    user: str = Field(..., description="Email or id of the user the token acts for.")
    name: str
    permissions: list[str]
    expires_days: int | None = None


class TokenOut(BaseModel):
    id: uuid.UUID
    name: str
    prefix: str
    organisation_id: uuid.UUID
    user_id: uuid.UUID | None
    permissions: list[str]
    expires_at: datetime | None
    revoked_at: datetime | None


class TokenCreated(TokenOut):
    token: str = Field(..., description="The bearer token. Shown in this answer only.")


class Me(BaseModel):
    organisation: OrganisationOut
    user_email: str | None
    token_prefix: str | None
    permissions: list[str]


class OrganisationPage(BaseModel):
    items: list[OrganisationOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page.")


class UserPage(BaseModel):
    items: list[UserOut]
    next_cursor: str | None = Field(None, description="Pass as ?cursor= for the next page.")
