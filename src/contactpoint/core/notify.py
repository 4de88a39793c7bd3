"""Notifications: in-app always, and e-mail through SMTP when the settings configure it.

Areas decide *who* is told (they know the roles and organisations); this module stores the
in-app notification per user and sends the e-mail. Core does not import accounts, so callers
pass each recipient's user id and address.

A failed e-mail never rolls back the work that caused it: the error is kept on the
notification row (``email_error``) and the in-app notification stands.
"""

from __future__ import annotations

import smtplib
import ssl
import uuid
from dataclasses import dataclass
from datetime import datetime
from email.message import EmailMessage

from sqlalchemy import ForeignKey, String, Text, func, select, update
from sqlalchemy.orm import Mapped, Session, mapped_column

from contactpoint.core.config import Settings
from contactpoint.core.db import Base, IdMixin, UTCDateTime, utcnow


class Notification(IdMixin, Base):
    __tablename__ = "notifications"

    user_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("users.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(60))  # e.g. cooperation.reminder
    subject: Mapped[str] = mapped_column(String(300))
    body: Mapped[str] = mapped_column(Text)
    link: Mapped[str | None] = mapped_column(String(500))
    created_at: Mapped[datetime] = mapped_column(UTCDateTime, default=utcnow)
    read_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    emailed_at: Mapped[datetime | None] = mapped_column(UTCDateTime)
    email_error: Mapped[str | None] = mapped_column(Text)


@dataclass(frozen=True)
class Addressee:
    user_id: uuid.UUID
    email: str


def smtp_configured(settings: Settings | None) -> bool:
    return bool(settings and settings.smtp_host)


def send_email(settings: Settings, to: list[str], subject: str, body: str) -> None:
    """Send one plain-text message; raises OSError/smtplib.SMTPException on failure."""
    msg = EmailMessage()
    msg["From"] = settings.smtp_from
    msg["To"] = ", ".join(to)
    msg["Subject"] = subject
    msg.set_content(body)
    security = settings.smtp_security.lower()
    if security == "ssl":
        smtp: smtplib.SMTP = smtplib.SMTP_SSL(
            settings.smtp_host,
            settings.smtp_port,
            timeout=20,
            context=ssl.create_default_context(),
        )
    else:
        smtp = smtplib.SMTP(settings.smtp_host, settings.smtp_port, timeout=20)
    with smtp:
        if security == "starttls":
            smtp.starttls(context=ssl.create_default_context())
        if settings.smtp_username:
            smtp.login(settings.smtp_username, settings.smtp_password)
        smtp.send_message(msg)


def notify(
    session: Session,
    addressees: list[Addressee],
    *,
    kind: str,
    subject: str,
    body: str,
    link: str | None = None,
    email: bool = False,
    settings: Settings | None = None,
) -> list[Notification]:
    """One in-app notification per addressee; with ``email`` and SMTP set, one e-mail too."""
    rows = []
    seen: set[uuid.UUID] = set()
    for a in addressees:
        if a.user_id in seen:
            continue
        seen.add(a.user_id)
        row = Notification(user_id=a.user_id, kind=kind, subject=subject, body=body, link=link)
        session.add(row)
        rows.append(row)
    session.flush()
    if email and smtp_configured(settings) and rows:
        assert settings is not None
        full = body + (f"\n\n{settings.base_url.rstrip('/')}{link}" if link else "")
        to = sorted({a.email for a in addressees})
        try:
            send_email(settings, to, subject, full)
            for row in rows:
                row.emailed_at = utcnow()
        except (OSError, smtplib.SMTPException) as exc:
            for row in rows:
                row.email_error = f"{type(exc).__name__}: {exc}"[:1000]
        session.flush()
    return rows


def for_user(session: Session, user_id: uuid.UUID, limit: int = 100) -> list[Notification]:
    return list(
        session.scalars(
            select(Notification)
            .where(Notification.user_id == user_id)
            .order_by(Notification.created_at.desc())
            .limit(limit)
        )
    )


def unread_count(session: Session, user_id: uuid.UUID) -> int:
    q = select(func.count()).where(Notification.user_id == user_id, Notification.read_at.is_(None))
    return int(session.scalar(q) or 0)


def mark_read(session: Session, user_id: uuid.UUID) -> None:
    session.execute(
        update(Notification)
        .where(Notification.user_id == user_id, Notification.read_at.is_(None))
        .values(read_at=utcnow())
    )
