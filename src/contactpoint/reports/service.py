"""Report intake and triage: plain functions ``(session, actor, ...)`` that never commit.

Every query of reports goes through core.access (visible / get_visible); every write and
every read of the reporter's contact details is audited.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
import uuid
from datetime import UTC, datetime, time, timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation, OrgKind
from contactpoint.core import audit
from contactpoint.core.access import get_visible, select_visible, set_recipients, visible
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.crypto import hmac_token
from contactpoint.core.errors import Forbidden, InvalidInput, NotFound
from contactpoint.core.filenames import safe_filename
from contactpoint.core.markings import PAP, TLP
from contactpoint.core.paging import Page, newest_first
from contactpoint.indicators import service as indicators
from contactpoint.reports import indicator_links, language, redact, search, storage
from contactpoint.reports.attachments import check_attachments
from contactpoint.reports.models import (
    Attachment,
    ReferenceCounter,
    Report,
    Source,
    Status,
)
from contactpoint.reports.schemas import (
    MAX_ATTACHMENTS,
    AttachmentIn,
    PublicStatus,
    ReporterContact,
    ReportFilter,
    ReportIn,
    SubmitResult,
)
from contactpoint.taxonomy.vocab import IdentifierType

# Offences whose reports never take uploads: the material itself must not travel.
_SECRET_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZ23456789"  # noqa: S105  (no 0/O, 1/I: read aloud)
_DUMMY_HASH = hashlib.sha256(b"no such report").hexdigest()


def settings_of(session: Session) -> Settings:
    """The settings of the request or command that opened ``session`` (core.web.get_db
    puts them in ``session.info``), else the process settings."""
    found = session.info.get("settings")
    return found if isinstance(found, Settings) else get_settings()


def attachments_root(session: Session) -> Path:
    return settings_of(session).var_dir / "attachments"


# ---------------------------------------------------------------------------- submit


def submit(
    session: Session,
    actor: Actor,
    data: ReportIn,
    *,
    source: Source,
    attachments: list[AttachmentIn] = [],  # noqa: B006  (never mutated)
) -> SubmitResult:
    """Record a report. Idempotent per (reporting organisation, external_id): a known id
    returns the stored report with ``created=False`` and changes nothing."""
    if source is not Source.CITIZEN and not (actor.can("reports:submit") or is_system(actor)):
        raise Forbidden("submitting reports needs the permission 'reports:submit'")
    org_id = actor.org_id if source is not Source.CITIZEN else None
    if data.external_id and org_id is not None:
        existing = _by_external_id(session, org_id, data.external_id)
        if existing is not None:
            return SubmitResult(existing, created=False)
    check_attachments(data, attachments)  # before any write: nothing half-saved

    try:
        with session.begin_nested():  # a concurrent duplicate rolls back only this report
            report, secret = _insert(session, actor, data, source, org_id)
    except IntegrityError:
        if data.external_id and org_id is not None:
            existing = _by_external_id(session, org_id, data.external_id)
            if existing is not None:
                return SubmitResult(existing, created=False)
        raise
    for att in attachments:
        _attach(session, actor, report, att)
    audit.record(
        session,
        actor,
        "report.submit",
        object_type="report",
        object_id=report.id,
        details={
            "reference": report.reference,
            "source": source.value,
            "attachments": len(attachments),
        },
    )
    return SubmitResult(report, created=True, status_secret=secret)


def _insert(
    session: Session, actor: Actor, data: ReportIn, source: Source, org_id: uuid.UUID | None
) -> tuple[Report, str | None]:
    receiving = _receiving_orgs(session, data.victim_country)
    owner = org_id or (receiving[0] if receiving else None)
    # Indicators are found in the text as written (card tokens come from the full numbers);
    # only the redacted text is kept.
    description, found = indicators.prepare(data.description, country_hint=data.victim_country)
    secret = _new_secret() if source is Source.CITIZEN else None
    report = Report(
        reference=_next_reference(session, data.victim_country),
        source=source,
        reporting_org_id=org_id,
        external_id=data.external_id if org_id else None,
        owner_org_id=owner,
        created_by_id=actor.user_id,
        tlp=data.tlp or TLP.AMBER,
        pap=data.pap or PAP.AMBER,
        crime_kind=data.crime_kind,
        category=data.category,
        incident_type=data.incident_type,
        offence=data.offence,
        victim_country=data.victim_country,
        victim_type=data.victim_type,
        occurred_at=data.occurred_at,
        description=description,
        language=language.detect_language(description, found),
        loss_amount=data.loss_amount,
        loss_currency=data.loss_currency,
        payment_method=data.payment_method,
        suspect_identifiers=[_identifier(i.type, i.value) for i in data.suspect_identifiers],
        reporter_name=data.reporter_name,
        reporter_email=data.reporter_email,
        reporter_phone=data.reporter_phone,
        contact_consent=data.contact_consent,
        share_with_other_authorities=data.share_with_other_authorities,
        anonymous=data.anonymous,
        status=Status.NEW,
        status_secret_hash=_secret_hash(secret) if secret else None,
    )
    session.add(report)
    session.flush()
    # The receiving contact points see every report about their country's victims.
    others = [o for o in receiving if o != owner]
    if others:
        set_recipients(session, report, org_ids=others)
    search.index(session, report.id, report.description, new=True)
    indicator_links.link_on_intake(session, report, found)
    return report, secret


def is_system(actor: Actor) -> bool:
    return "system" in actor.roles


def _by_external_id(session: Session, org_id: uuid.UUID, external_id: str) -> Report | None:
    return session.scalars(
        select(Report).where(Report.reporting_org_id == org_id, Report.external_id == external_id)
    ).first()


def _receiving_orgs(session: Session, country: str) -> list[uuid.UUID]:
    """The law-enforcement contact points for the victim's country; failing that, this
    node's country; failing that, the EU contact point.

    A bulk import puts a dict in ``session.info["receiving_orgs"]`` to look each country up
    once per batch (organisations do not change mid-import)."""
    cache = session.info.get("receiving_orgs")
    if isinstance(cache, dict):
        if country not in cache:
            cache[country] = _lookup_receiving_orgs(session, country)
        return list(cache[country])
    return _lookup_receiving_orgs(session, country)


def _lookup_receiving_orgs(session: Session, country: str) -> list[uuid.UUID]:
    le = (OrgKind.LAW_ENFORCEMENT,)
    for kinds, where in (
        (le, Organisation.country == country),
        (le, Organisation.country == settings_of(session).national_country),
        ((OrgKind.EU_CONTACT_POINT,), Organisation.country.is_not(None)),
    ):
        ids = list(
            session.scalars(
                select(Organisation.id)
                .where(Organisation.active.is_(True), Organisation.kind.in_(kinds), where)
                .order_by(Organisation.name)
            )
        )
        if ids:
            return ids
    return []


def _next_reference(session: Session, country: str, year: int | None = None) -> str:
    """``CC-YYYY-NNNNNN``. One atomic upsert: on PostgreSQL the row stays locked until the
    transaction ends, so two intakes never get the same number; a rolled-back intake
    releases its number."""
    year = year or datetime.now(UTC).year
    if session.get_bind().dialect.name == "postgresql":
        from sqlalchemy.dialects.postgresql import insert
    else:
        from sqlalchemy.dialects.sqlite import insert  # type: ignore[assignment]
    stmt = (
        insert(ReferenceCounter)
        .values(country=country, year=year, last=1)
        .on_conflict_do_update(
            index_elements=["country", "year"], set_={"last": ReferenceCounter.last + 1}
        )
        .returning(ReferenceCounter.last)
    )
    number = session.execute(stmt).scalar_one()
    return f"{country}-{year}-{number:06d}"


def _identifier(kind: IdentifierType, value: str) -> dict[str, Any]:
    if kind is IdentifierType.CARD:
        return redact.card_identifier(value, hmac_token)
    # A card number typed into another kind of identifier is redacted all the same.
    return {"type": kind.value, "value": redact.redact_text(value)}


def _new_secret() -> str:
    raw = "".join(secrets.choice(_SECRET_ALPHABET) for _ in range(16))  # 80 bits
    return "-".join(raw[i : i + 4] for i in range(0, 16, 4))


def _secret_hash(secret: str) -> str:
    normal = "".join(ch for ch in secret.upper() if ch.isalnum())
    return hashlib.sha256(normal.encode()).hexdigest()


def _attach(session: Session, actor: Actor, report: Report, att: AttachmentIn) -> Attachment:
    ctype = storage.sniff(att.content) or "application/octet-stream"
    sha = storage.store(attachments_root(session), att.content)
    row = Attachment(
        report_id=report.id,
        sha256=sha,
        filename=safe_filename(att.filename, "attachment"),
        content_type=ctype,
        size=len(att.content),
        uploaded_by_id=actor.user_id,
    )
    session.add(row)
    session.flush()
    return row


def add_attachment(
    session: Session, actor: Actor, report_id: uuid.UUID, att: AttachmentIn
) -> Attachment:
    """Add a file to a report the actor sees and submitted (or may triage)."""
    report = get_report(session, actor, report_id)
    if not (
        actor.can("reports:triage")
        or is_system(actor)
        or (actor.org_id is not None and actor.org_id == report.reporting_org_id)
    ):
        raise Forbidden("only the reporting organisation or an analyst may add files")
    check_attachments(report, [att])
    if len(report.attachments) >= MAX_ATTACHMENTS:
        raise InvalidInput(
            f"at most {MAX_ATTACHMENTS} attachments",
            errors=[{"field": "file", "message": "too many files"}],
        )
    row = _attach(session, actor, report, att)
    audit.record(
        session,
        actor,
        "report.attachment.add",
        object_type="report",
        object_id=report.id,
        details={"sha256": row.sha256, "size": row.size, "content_type": row.content_type},
    )
    return row


def attachment_file(
    session: Session, actor: Actor, attachment_id: uuid.UUID, reason: str | None = None
) -> tuple[Attachment, Path]:
    """An attachment of a visible report and where its bytes are; the read is audited."""
    row = session.get(Attachment, attachment_id)
    if row is None:
        raise NotFound(f"attachment {attachment_id} not found")
    get_report(session, actor, row.report_id)  # 404 when the report is not visible
    audit.record(
        session,
        actor,
        "report.attachment.read",
        object_type="report",
        object_id=row.report_id,
        reason=reason,
        details={"sha256": row.sha256},
    )
    return row, storage.path_for(attachments_root(session), row.sha256)


# ---------------------------------------------------------------------------- read


def get_report(session: Session, actor: Actor, report_id: uuid.UUID) -> Report:
    return get_visible(session, Report, report_id, actor)


def find_by_reference(session: Session, actor: Actor, reference: str) -> Report:
    ref = reference.strip().upper()
    row = session.scalars(select_visible(Report, actor).where(Report.reference == ref)).first()
    if row is None:
        raise NotFound(f"report {ref} not found")
    return row


def reporter_contact(
    session: Session, actor: Actor, report: Report, reason: str
) -> ReporterContact:
    """Decrypt the reporter's contact details; audited with the reason (2016/680 Art. 25)."""
    if not (actor.can("reports:triage") or is_system(actor)):
        raise Forbidden("reading contact details needs the permission 'reports:triage'")
    if not reason or not reason.strip():
        raise InvalidInput(
            "a reason is required to read contact details",
            errors=[{"field": "reason", "message": "required"}],
        )
    get_report(session, actor, report.id)  # the caller's object must still be visible
    audit.record(
        session,
        actor,
        "report.contact.read",
        object_type="report",
        object_id=report.id,
        reason=reason.strip(),
    )
    return ReporterContact(
        report.reporter_name,
        report.reporter_email,
        report.reporter_phone,
        report.contact_consent,
        report.share_with_other_authorities,
    )


def _where(session: Session, actor: Actor, f: ReportFilter) -> list[ColumnElement[bool]]:
    conds: list[ColumnElement[bool]] = [visible(Report, actor)]
    for name in (
        "category",
        "crime_kind",
        "incident_type",
        "offence",
        "status",
        "source",
        "assigned_to_id",
    ):
        value = getattr(f, name)
        if value is not None:
            conds.append(getattr(Report, name) == value)
    if f.victim_country:
        conds.append(Report.victim_country == f.victim_country.upper())
    if f.date_from:
        conds.append(Report.created_at >= datetime.combine(f.date_from, time.min, UTC))
    if f.date_to:
        conds.append(
            Report.created_at < datetime.combine(f.date_to + timedelta(days=1), time.min, UTC)
        )
    if f.q:
        conds.append(search.matches(session, f.q))
    return conds


def list_reports(
    session: Session,
    actor: Actor,
    filters: ReportFilter,
    *,
    cursor: str | None = None,
    limit: int = 50,
) -> Page[Report]:
    """Newest first, keyset-paginated: pass ``next_cursor`` back to get the next page."""
    stmt = select(Report).where(*_where(session, actor, filters))
    return newest_first(session, stmt, Report, cursor=cursor, limit=limit)


def count_reports(session: Session, actor: Actor, filters: ReportFilter) -> int:
    stmt = select(func.count()).select_from(Report).where(*_where(session, actor, filters))
    return int(session.scalar(stmt) or 0)


# ---------------------------------------------------------------------------- public


def public_status(session: Session, reference: str, secret: str) -> PublicStatus:
    """What a citizen may learn with the reference and the secret they were given.

    One generic answer for a wrong reference and a wrong secret, and the secret is always
    compared in constant time, so neither which references exist nor the secret leaks.
    """
    ref = reference.strip().upper()
    row = session.scalars(select(Report).where(Report.reference == ref)).first()
    stored = row.status_secret_hash if row is not None and row.status_secret_hash else None
    ok = hmac.compare_digest(stored or _DUMMY_HASH, _secret_hash(secret or ""))
    if row is None or stored is None or not ok:
        raise NotFound("no report matches this reference and secret")
    return PublicStatus(row.reference, row.status, row.created_at.date(), row.updated_at.date())
