"""Demo notices and removal orders for `contactpoint demo`: every kind, in every state,
addressed to the demo hosting provider (Polder Hosting, whose operator logs in as
``provider@demo.contactpoint.eu``), with clocks running, due soon and overdue, so the provider
portal, the staff views and the escalation have something to show.

Times are moved into the past after sending, and the signed timestamps are signed again for
the moved times (demo data only: a real notice's times are never rewritten). Each demo notice
has an ``external_id``, so running the demo twice adds nothing.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import actor_for_user
from contactpoint.accounts.models import Organisation, User
from contactpoint.core.actor import Actor
from contactpoint.core.db import utcnow
from contactpoint.takedown import service, timestamps
from contactpoint.takedown.directory_models import Provider, ProviderDomain, ProviderKind
from contactpoint.takedown.models import Notice
from contactpoint.takedown.schemas import NoticeIn
from contactpoint.training.demo_accounts import DOMAIN

HOST_ORG = "Polder Hosting (NL)"
HOST_DOMAIN = "polder-hosting.nl"
TCO = {
    "issuing_authority": "Police nationale, OCLCTIC, Nanterre (competent authority, TCO Art. 12)",
    "authority_reference": "OCLCTIC-TCO-2026-0042",
    "addressee_contact": "Polder Hosting B.V., TCO point of contact tco@polder-hosting.nl",
    "reasons": "The video glorifies the attack of 3 March and calls for copies (Art. 2(7)(a)).",
    "redress": "Administrative appeal before the tribunal administratif de Paris within 48 h; "
    "the content provider may also complain to Polder Hosting (TCO Art. 10).",
}
DSA = {
    "explanation": "Phishing page imitating the log-in form of Banque Exemple; it collects "
    "customers' credentials and card numbers.",
    "good_faith": "I believe in good faith that the information in this notice is accurate "
    "and complete.",
}
REFERRAL = {"reasons": "Recruitment channel of a proscribed group; against the host's terms."}
NTD = {
    "assessment": "baseline",
    "explanation": "Image gallery assessed by two analysts as "
    "INTERPOL baseline material; no images are attached.",
}


@dataclass
class Demo:
    key: str
    sender: str  # e-mail user part
    kind: str
    category: str
    fields: dict[str, str]
    sent_ago: timedelta
    received_ago: timedelta | None = None
    paused_ago: timedelta | None = None
    action: tuple[str, timedelta, str | None] | None = None  # (action, ago, reason)
    withdrawn: str | None = None
    extra: dict[str, str] = field(default_factory=dict)


M, H, D = timedelta(minutes=1), timedelta(hours=1), timedelta(days=1)
DEMOS = [
    Demo("tco-awaiting", "analyst.fr", "tco-removal-order", "terrorist-content", TCO, 8 * M),
    Demo(
        "tco-running", "analyst.fr", "tco-removal-order", "terrorist-content", TCO, 25 * M, 20 * M
    ),
    Demo(
        "tco-due-soon", "analyst.fr", "tco-removal-order", "terrorist-content", TCO, 55 * M, 50 * M
    ),
    Demo("tco-overdue", "analyst.fr", "tco-removal-order", "terrorist-content", TCO, 3 * H, 3 * H),
    Demo(
        "tco-paused",
        "analyst.fr",
        "tco-removal-order",
        "terrorist-content",
        TCO,
        40 * M,
        35 * M,
        paused_ago=15 * M,
    ),
    Demo(
        "tco-removed",
        "analyst.fr",
        "tco-removal-order",
        "terrorist-content",
        TCO,
        2 * D,
        2 * D - 5 * M,
        action=("removed", 2 * D - 40 * M, "Video deleted, hash blocked"),
    ),
    Demo(
        "dsa-open",
        "analyst.nl",
        "dsa-art16",
        "phishing",
        DSA,
        2 * H,
        extra={"notifier_name": "Demo analyst (NL)", "notifier_email": f"analyst.nl@{DOMAIN}"},
    ),
    Demo(
        "dsa-disabled",
        "analyst.nl",
        "dsa-art16",
        "phishing",
        DSA,
        3 * D,
        3 * D - H,
        action=("disabled", 2 * D, "Account suspended; page returns 410"),
        extra={"notifier_name": "Demo analyst (NL)", "notifier_email": f"analyst.nl@{DOMAIN}"},
    ),
    Demo(
        "dsa-refused",
        "analyst.nl",
        "dsa-art16",
        "phishing",
        DSA,
        4 * D,
        4 * D - H,
        action=("refused", 3 * D, "The page is the bank's own test site (owner confirmed)"),
        extra={"notifier_name": "Demo analyst (NL)", "notifier_email": f"analyst.nl@{DOMAIN}"},
    ),
    Demo(
        "dsa-withdrawn",
        "analyst.nl",
        "dsa-art16",
        "phishing",
        DSA,
        5 * D,
        withdrawn="Sent to the wrong provider",
        extra={"notifier_name": "Demo analyst (NL)", "notifier_email": f"analyst.nl@{DOMAIN}"},
    ),
    Demo("referral-running", "analyst.fr", "voluntary-referral", "terrorist-content", REFERRAL, D),
    Demo(
        "referral-overdue", "analyst.fr", "voluntary-referral", "terrorist-content", REFERRAL, 4 * D
    ),
    Demo("ntd-running", "hotline", "hotline-ntd", "csam", NTD, 12 * H),
    Demo("ntd-due-soon", "hotline", "hotline-ntd", "csam", NTD, 2 * D + 12 * H, 2 * D + 11 * H),
    Demo("ntd-overdue", "hotline", "hotline-ntd", "csam", NTD, 5 * D, 5 * D - H),
    Demo(
        "ntd-removed",
        "hotline",
        "hotline-ntd",
        "csam",
        NTD,
        6 * D,
        6 * D - H,
        action=("removed", 4 * D, None),
    ),
]


def _actor(session: Session, user_part: str) -> Actor | None:
    user = session.scalars(select(User).where(User.email == f"{user_part}@{DOMAIN}")).first()
    return actor_for_user(user, user.organisation) if user else None


def _provider(session: Session) -> Provider | None:
    org = session.scalars(select(Organisation).where(Organisation.name == HOST_ORG)).first()
    if org is None:
        return None
    found = session.scalars(select(Provider).where(Provider.org_id == org.id)).first()
    if found is not None:
        return found
    # The directory's demo seed normally links it; without it, a minimal entry will do.
    provider = Provider(
        name="Polder Hosting",
        kind=ProviderKind.HOSTING,
        country="NL",
        org_id=org.id,
        abuse_email=f"abuse@{HOST_DOMAIN}",
        tco_contact=f"tco@{HOST_DOMAIN}",
        active=True,
    )
    session.add(provider)
    session.flush()
    if (
        session.scalars(select(ProviderDomain).where(ProviderDomain.domain == HOST_DOMAIN)).first()
        is None
    ):
        session.add(ProviderDomain(provider_id=provider.id, domain=HOST_DOMAIN))
    session.flush()
    return provider


def _backdate(session: Session, notice: Notice, d: Demo) -> None:
    """Move the notice's times into the past, then sign the moved timestamps again."""
    now = utcnow()
    rule = service.kind_rule(session, d.kind)
    shift = d.sent_ago
    notice.sent_at = now - shift
    for ev in notice.events:
        ev.at = ev.at - shift
    if d.received_ago is not None:
        operator = _actor(session, "provider")
        assert operator is not None
        service.acknowledge(session, operator, notice.id)
        notice.received_at = now - d.received_ago
        notice.events[-1].at = notice.received_at
    start = (
        notice.received_at if rule.clock and rule.clock.starts_on == "received" else notice.sent_at
    )
    notice.due_at = start + rule.clock.duration if rule.clock and start else None
    if d.paused_ago is not None:
        sender = _actor(session, d.sender)
        assert sender is not None
        service.pause(session, sender, notice.id, "The provider asked which of the two videos")
        notice.paused_at = now - d.paused_ago
        notice.events[-1].at = notice.paused_at
    if d.action is not None:
        operator = _actor(session, "provider")
        assert operator is not None
        what, ago, reason = d.action
        service.act(session, operator, notice.id, what, reason, now - ago)
        notice.events[-1].at = now - ago
    if d.withdrawn:
        sender = _actor(session, d.sender)
        assert sender is not None
        service.withdraw(session, sender, notice.id, d.withdrawn)
        notice.events[-1].at = now - d.sent_ago + H
    key = service.node_key(session)
    for ev in notice.events:
        if ev.signature and notice.content_sha256:
            data = timestamps.payload(notice.reference, ev.kind, ev.at, notice.content_sha256)
            ev.signature = timestamps.sign(key, data)
    session.flush()


def seed_takedown(session: Session) -> int:
    """Send the demo notices that are not there yet; returns how many were sent."""
    provider = _provider(session)
    if provider is None:
        return 0
    sent = 0
    for i, d in enumerate(DEMOS):
        sender = _actor(session, d.sender)
        if sender is None:
            continue
        data = NoticeIn.model_validate(
            {
                "kind": d.kind,
                "urls": [f"https://media.{HOST_DOMAIN}/u/{2600 + i}/{d.key}"],
                "provider_id": str(provider.id),
                "category": d.category,
                "fields": d.fields,
                "external_id": f"demo-{d.key}",
                **d.extra,
            }
        )
        notice, created = service.send(session, sender, data)
        if created:
            _backdate(session, notice, d)
            sent += 1
    return sent
