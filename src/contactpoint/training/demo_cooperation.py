"""Demo cooperation requests for `contactpoint demo`: the directory routes FR, DE and NL to
their police units, and the officers of those units have requests in every state — running,
due soon, paused for a clarification, overdue, answered — so the inbox, the "due soon" and
"overdue" views and the escalation have something to show. Running it twice adds nothing."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import actor_for_user
from contactpoint.accounts.models import Organisation, User
from contactpoint.cooperation import directory, service
from contactpoint.cooperation.models import CoopRequest
from contactpoint.cooperation.schemas import RequestIn
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.training.demo_accounts import DOMAIN

UNITS = {
    "FR": "Police nationale — cyber unit (FR)",
    "DE": "Bundeskriminalamt — cyber unit (DE)",
    "NL": "Politie — high tech crime unit (NL)",
}
ART29 = {
    "requesting_authority": "Police nationale, cyber unit (OFAC), Nanterre",
    "offence_and_facts": "Computer-related fraud (ETS 185 Art. 8): a fake electronics shop "
    "took payments from 40 victims in February 2026.",
    "data_and_relation": "Subscriber data and access logs of the shop's server; they identify "
    "the operator.",
    "custodian_or_location": "Nordnetz ISP, Frankfurt am Main",
    "necessity": "The provider deletes access logs after 30 days.",
    "mla_intent": "A mutual assistance request will follow within 30 days.",
}
URGENT = {
    "requesting_authority": "BKA 24/7 contact point, Wiesbaden",
    "facts": "Ransomware on a hospital network; the operators' server is hosted in your state.",
    "assistance_sought": "Preserve and image the server; identify the customer.",
    "urgency": "Patient care is disrupted; the key may be deleted.",
}
EPOC = {
    "issuing_authority": "Parquet de Paris, J3 cyber section (validated by the judge)",
    "addressee": "Nordnetz ISP, legal representative in Frankfurt",
    "data_categories": "traffic data (connection logs)",
    "users_and_period": "customer account 88-4711, 1-28 February 2026",
    "offence_and_provisions": "Fraud, Code pénal Art. 313-1",
    "grounds": "The logs are the only link between the shop and its operator.",
}


def _officer(session: Session, country: str) -> Actor:
    user = session.scalars(
        select(User).where(User.email == f"officer.{country.lower()}@{DOMAIN}")
    ).one()
    return actor_for_user(user, user.organisation)


def _org(session: Session, name: str) -> Organisation:
    return session.scalars(select(Organisation).where(Organisation.name == name)).one()


def _age(session: Session, req: CoopRequest, by: timedelta) -> None:
    """Move every step of ``req`` back by ``by``, as if it had been sent then."""
    for ev in req.events:
        ev.at -= by
    for name in ("sent_at", "acknowledged_at", "answered_at"):
        if getattr(req, name) is not None:
            setattr(req, name, getattr(req, name) - by)
    service.refresh_due(session, req)


def _send(session: Session, actor: Actor, **data: object) -> CoopRequest:
    return service.create(session, actor, RequestIn.model_validate({"send": True, **data}))


def seed_cooperation(session: Session, now: datetime | None = None) -> int:
    """Route FR/DE/NL in the directory and create the demo requests; returns how many."""
    if session.scalar(select(func.count()).select_from(CoopRequest)):
        return 0
    now = now or utcnow()
    for country, unit in UNITS.items():
        directory.get_entry(session, country).contact_point_org_id = _org(session, unit).id
    session.flush()
    fr, de, nl = (_officer(session, c) for c in ("FR", "DE", "NL"))
    nordnetz = _org(session, "Nordnetz ISP (DE)").id
    lumiere = _org(session, "Lumière Fibre ISP (FR)").id
    made = []

    # FR → DE, Art. 29: acknowledged, preservation running (about 55 days left).
    r = _send(
        session,
        fr,
        type_code="preservation-mla",
        subject="Fake electronics shop",
        receiving_country="DE",
        fields=ART29,
    )
    service.acknowledge(session, de, r.id, "Preservation ordered with Nordnetz today.")
    _age(session, r, timedelta(days=5))
    made.append(r)
    # DE → FR, urgent 24/7, not acknowledged after 10 hours: overdue.
    r = _send(
        session,
        de,
        type_code="urgent-24-7",
        subject="Ransomware on a hospital",
        receiving_country="FR",
        emergency=True,
        fields=URGENT,
    )
    _age(session, r, timedelta(hours=10))
    made.append(r)
    # NL → FR, urgent 24/7, 7 hours old: due soon.
    r = _send(
        session,
        nl,
        type_code="urgent-24-7",
        subject="DDoS extortion of a bank",
        receiving_country="FR",
        fields=URGENT | {"requesting_authority": "Politie 24/7"},
    )
    _age(session, r, timedelta(hours=7))
    made.append(r)
    # FR → Nordnetz, EPOC for traffic data, 12 days old: overdue; enforcing State notified.
    r = _send(
        session,
        fr,
        type_code="epoc",
        subject="Connection logs of the fake shop",
        receiving_org_id=nordnetz,
        fields=EPOC,
        data_categories=["traffic"],
    )
    _age(session, r, timedelta(days=12))
    made.append(r)
    # DE → Lumière Fibre, EPOC-PR, 58 days old: preservation ends in 2 days (due soon).
    r = _send(
        session,
        de,
        type_code="epoc-pr",
        subject="Mailbox of a phishing kit seller",
        receiving_org_id=lumiere,
        fields={k: v for k, v in EPOC.items() if k != "grounds"}
        | {"issuing_authority": "Staatsanwaltschaft Köln", "addressee": "Lumière Fibre ISP, Paris"},
    )
    _age(session, r, timedelta(days=58))
    made.append(r)
    # NL → DE, Art. 29 answered, plus a clarification round.
    r = _send(
        session,
        nl,
        type_code="preservation-mla",
        subject="Botnet command server",
        receiving_country="DE",
        fields=ART29 | {"requesting_authority": "Politie, Team High Tech Crime"},
    )
    service.acknowledge(session, de, r.id, None)
    service.ask_clarification(session, de, r.id, "Which IP address and port?")
    service.answer_clarification(session, nl, r.id, "198.51.100.23, port 8443.")
    service.answer(session, de, r.id, "Preserved under reference BKA-SO42-117.", partial=False)
    _age(session, r, timedelta(days=2))
    made.append(r)
    session.flush()
    return len(made)
