"""Demo cases for `contactpoint demo`: the French investigator's cases built on the
synthetic reports, shared with the German unit and the EU contact point, with tasks,
notes and an evidence file whose chain of custody shows an acquisition, a view, a
download and a hand-over. Running it twice adds nothing."""

from __future__ import annotations

import io
from datetime import timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import actor_for_user
from contactpoint.accounts.models import Organisation, User
from contactpoint.cases import evidence, service
from contactpoint.cases.models import Case, CaseStatus
from contactpoint.cases.schemas import (
    CaseIn,
    EvidenceIn,
    NoteIn,
    ParticipantIn,
    StatusIn,
    TaskIn,
    TaskUpdate,
    TransferIn,
)
from contactpoint.core.access import select_visible
from contactpoint.core.db import utcnow
from contactpoint.reports.models import Report
from contactpoint.training.demo_accounts import DOMAIN, EU_CP

DE_UNIT = "Bundeskriminalamt — cyber unit (DE)"
PHISHING_MAIL = (
    b"Received: from mx.paypa1-secure.example (203.0.113.7)\r\n"
    b"From: Service client <securite@paypa1-secure.example>\r\n"
    b"Subject: Votre compte sera suspendu\r\n\r\n"
    b"Confirmez vos informations: https://paypa1-secure.example/login\r\n"
)


def seed_cases(session: Session) -> int:
    """Create the demo cases once; returns how many were created."""
    if session.scalar(select(func.count()).select_from(Case)):
        return 0
    user = session.scalars(select(User).where(User.email == f"investigator@{DOMAIN}")).first()
    if user is None:
        return 0
    fr = actor_for_user(user, user.organisation)
    de_user = session.scalars(select(User).where(User.email == f"analyst.de@{DOMAIN}")).first()
    orgs = {o.name: o for o in session.scalars(select(Organisation))}
    reports = list(
        session.scalars(select_visible(Report, fr).order_by(Report.created_at.desc()).limit(3))
    )
    today = utcnow().date()

    ring = service.create_case(
        session,
        fr,
        CaseIn(
            title="Fake classifieds sellers paid into German mule accounts",
            summary="Victims in France pay for goods never delivered; the IBANs belong to "
            "accounts opened in Germany with stolen identities.",
            report_ids=[r.id for r in reports],
        ),
    )
    for name in (DE_UNIT, EU_CP):
        if name in orgs:
            service.invite(
                session, fr, ring.id, ParticipantIn(org_id=orgs[name].id, reason="cross-border")
            )
    first = service.add_task(
        session, fr, ring.id, TaskIn(title="List every IBAN in the linked reports")
    )
    service.update_task(session, fr, ring.id, first.id, TaskUpdate(done=True))
    service.add_task(
        session,
        fr,
        ring.id,
        TaskIn(
            title="Ask BKA for the account holders' KYC files",
            assignee_id=de_user.id if de_user else None,
            due_on=today + timedelta(days=3),
        ),
    )
    service.add_task(
        session,
        fr,
        ring.id,
        TaskIn(title="Hear the victims in Lyon", due_on=today - timedelta(days=2)),
    )
    service.add_note(session, fr, ring.id, NoteIn(body="Same sofa photo reused in every advert."))
    item = evidence.add_evidence(
        session,
        fr,
        ring.id,
        EvidenceIn(
            filename="phishing-mail.eml",
            acquired_by=user.display_name or user.email,
            acquisition_method="exported from the victim's mailbox with full headers",
            source="victim's e-mail account (consent on file)",
            acquired_at=utcnow() - timedelta(days=4),
            description="The phishing e-mail that led to the first payment.",
            content_type="message/rfc822",
        ),
        io.BytesIO(PHISHING_MAIL),
    )
    evidence.view(session, fr, ring.id, item.id)
    _, chunks = evidence.download(session, fr, ring.id, item.id, "copy for the prosecutor")
    b"".join(chunks)
    if DE_UNIT in orgs:
        evidence.transfer(
            session,
            fr,
            ring.id,
            item.id,
            TransferIn(to_org_id=orgs[DE_UNIT].id, reason="header analysis by BKA forensics"),
        )

    paused = service.create_case(
        session,
        fr,
        CaseIn(title="DDoS extortion against a regional hospital", tlp="AMBER+STRICT"),
    )
    service.set_status(
        session,
        fr,
        paused.id,
        StatusIn(status=CaseStatus.SUSPENDED, reason="waiting for the hosting provider's logs"),
    )
    return 2
