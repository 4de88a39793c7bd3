"""Organisations, users, login sessions and API tokens."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import JSON, Boolean, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

from contactpoint.core.crypto import EncryptedString
from contactpoint.core.db import Base, IdMixin, TimestampMixin, UTCDateTime, str_enum


class OrgKind(StrEnum):
    LAW_ENFORCEMENT = "law-enforcement"
    EU_CONTACT_POINT = "eu-contact-point"
    HOTLINE = "hotline"
    CSIRT = "csirt"
    ISP = "isp"
    HOSTING = "hosting"
    PLATFORM = "platform"
    REGISTRAR = "registrar"
    BANK = "bank"
    PUBLIC_BODY = "public-body"
    RESEARCH = "research"


class Role(StrEnum):
    ADMIN = "admin"
    ANALYST = "analyst"
    INVESTIGATOR = "investigator"
    CONTACT_POINT_OFFICER = "contact-point-officer"
    PROVIDER_OPERATOR = "provider-operator"
    BANK_OPERATOR = "bank-operator"
    AUDITOR = "auditor"


class Organisation(IdMixin, TimestampMixin, Base):
    __tablename__ = "organisations"

    name: Mapped[str] = mapped_column(String(200), unique=True)
    kind: Mapped[OrgKind] = mapped_column(str_enum(OrgKind, "org_kind"))
    country: Mapped[str] = mapped_column(String(2), index=True)  # ISO 3166-1 alpha-2, or EU
    active: Mapped[bool] = mapped_column(Boolean, default=True)

    users: Mapped[list[User]] = relationship(back_populates="organisation")


class User(IdMixin, TimestampMixin, Base):
    __tablename__ = "users"

    email: Mapped[str] = mapped_column(String(254), unique=True)
    display_name: Mapped[str] = mapped_column(String(200))
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    roles: Mapped[list[str]] = mapped_column(JSON, default=list)
    password_hash: Mapped[str] = mapped_column(String(200))
    # AES-GCM at rest: a stolen database alone must not let anyone mint TOTP codes.
    totp_secret: Mapped[str | None] = mapped_column(EncryptedString)
    # False while enrolment waits for the first code; only a confirmed secret is checked.
    totp_confirmed: Mapped[bool] = mapped_column(Boolean, default=False)
    # The last accepted 30-second step, so one code cannot be replayed within its window.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    active: Mapped[bool] = mapped_column(Boolean, default=True)
    failed_logins: Mapped[int] = mapped_column(Integer, default=0)
    locked_until: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_login_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    language: Mapped[str | None] = mapped_column(String(8))

    organisation: Mapped[Organisation] = relationship(back_populates="users")


class LoginSession(IdMixin, Base):
    """A browser session; the cookie holds a random secret, the table its SHA-256."""

    __tablename__ = "login_sessions"

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    user_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("users.id", ondelete="CASCADE"))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime)
    last_seen_at: Mapped[datetime] = mapped_column(UTCDateTime)
    mfa_passed: Mapped[bool] = mapped_column(Boolean, default=False)
    ended_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class ApiToken(IdMixin, TimestampMixin, Base):
    """A bearer token: shown once, stored as SHA-256, scoped to an organisation."""

    __tablename__ = "api_tokens"

    name: Mapped[str] = mapped_column(String(200))
    prefix: Mapped[str] = mapped_column(String(16), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    organisation_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("organisations.id"), index=True)
    user_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("users.id"))
    permissions: Mapped[list[str]] = mapped_column(JSON, default=list)
    expires_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    revoked_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    last_used_at: Mapped[datetime | None] = mapped_column(UTCDateTime)


class MfaPolicy(Base):
    """Roles for which an administrator requires TOTP."""

    __tablename__ = "mfa_policy"

    role: Mapped[str] = mapped_column(String(40), primary_key=True)
    required: Mapped[bool] = mapped_column(Boolean, default=True)
