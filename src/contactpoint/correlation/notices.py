"""Campaign notices: tell the contact points of the countries a campaign spans when it first
spans two or more countries, and again whenever it grows in a country.

Who is told: the contact-point officers of the active law-enforcement organisations of each
country the campaign spans, and those of the EU contact point (which sees the cross-border
picture). What they are told: the campaign's link, its countries and how many reports there
are (and how many are new) per country. Counts only, never content, references or ids: the
recipients may not be allowed to read every member.

Per campaign and country, ``campaign_notices`` keeps the count at the last notice, so running
again (job retries, restarts, the periodic run after a bulk import) notifies only about
growth past it. Decoupled from the engine: it reads the stored campaigns, however they were
built.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import datetime

from sqlalchemy import exists, func, or_, select
from sqlalchemy.orm import Session

from contactpoint.accounts.deps import actor_for_user
from contactpoint.accounts.models import Organisation, OrgKind, Role, User
from contactpoint.core import audit, notify
from contactpoint.core.access import visible
from contactpoint.core.actor import SYSTEM
from contactpoint.core.config import Settings
from contactpoint.core.db import short_id, utcnow
from contactpoint.correlation.models import Campaign, CampaignMember, CampaignNotice
from contactpoint.reports.models import Report

KIND = "correlation.campaign"
FOLLOW_KIND = "correlation.follow"  # written by follows.py
OFFICER = Role.CONTACT_POINT_OFFICER.value
CHUNK = 500


DIGEST_LINES = 20
DIGEST_LINK = "/campaigns?sort=growth&growth_days=1"


@dataclass
class NoticeResult:
    campaigns: int = 0  # campaigns that were notified about
    notifications: int = 0  # in-app notifications written (one per user and campaign)
    digests: int = 0  # of which digests: one per officer told of many campaigns at once
    told: set[tuple[uuid.UUID, uuid.UUID]] = field(default_factory=set)  # (user, campaign)


@dataclass
class Change:
    """A campaign to notify about: member reports per country, the new ones per country,
    whether it is its first notice, and who is told."""

    cid: uuid.UUID
    counts: dict[str, int]
    new: dict[str, int]
    first: bool
    users: list[User]


def _counts(
    session: Session, campaign_ids: Sequence[uuid.UUID] | None
) -> dict[uuid.UUID, dict[str, int]]:
    """Member reports per country of the given campaigns (none: those changed since their
    last notice) that span two or more countries. All members: this is the system's view;
    the message carries counts only."""
    ids = list(campaign_ids) if campaign_ids is not None else _changed(session)
    return {cid: per for cid, per in per_country(session, ids).items() if len(per) >= 2}


def per_country(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, dict[str, int]]:
    """Member reports per victim country of each campaign, all members."""
    m = CampaignMember
    out: dict[uuid.UUID, dict[str, int]] = {}
    for i in range(0, len(ids), CHUNK):
        for cid, country, n in session.execute(
            select(m.campaign_id, Report.victim_country, func.count())
            .join(Report, Report.id == m.report_id)
            .where(m.campaign_id.in_(ids[i : i + CHUNK]))
            .group_by(m.campaign_id, Report.victim_country)
        ):
            out.setdefault(cid, {})[country] = int(n)
    return out


def _changed(session: Session) -> list[uuid.UUID]:
    """Campaigns of two or more countries changed since their last notice (or never
    notified): the periodic run need not count the members of the others."""
    last = (
        select(func.max(CampaignNotice.notified_at))
        .where(CampaignNotice.campaign_id == Campaign.id)
        .scalar_subquery()
    )
    return list(
        session.scalars(
            select(Campaign.id).where(
                func.json_array_length(Campaign.countries) >= 2,
                or_(last.is_(None), Campaign.updated_at > last),
            )
        )
    )


def _officers(session: Session, country: str | None) -> list[User]:
    """Active contact-point officers of the country's law-enforcement organisations, or
    (``country`` None) of the EU contact point."""
    where = (
        Organisation.kind == OrgKind.EU_CONTACT_POINT
        if country is None
        else (Organisation.kind == OrgKind.LAW_ENFORCEMENT) & (Organisation.country == country)
    )
    users = session.scalars(
        select(User)
        .join(Organisation, Organisation.id == User.organisation_id)
        .where(where, Organisation.active.is_(True), User.active.is_(True))
        .order_by(User.email)
    )
    return [u for u in users if OFFICER in (u.roles or [])]


def _readers(session: Session, changes: Sequence[Change]) -> dict[uuid.UUID, set[uuid.UUID]]:
    """Per campaign, the users to be told who may read at least one of its members. One
    query per user and chunk of campaigns, not per user and campaign: a bulk import touches
    thousands."""
    wanted: dict[uuid.UUID, list[uuid.UUID]] = {}
    users: dict[uuid.UUID, User] = {}
    for ch in changes:
        for u in ch.users:
            wanted.setdefault(u.id, []).append(ch.cid)
            users[u.id] = u
    out: dict[uuid.UUID, set[uuid.UUID]] = {ch.cid: set() for ch in changes}
    for uid, cids in wanted.items():
        for cid in readable(session, users[uid], cids):
            out[cid].add(uid)
    return out


def readable(session: Session, user: User, cids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """Of these campaigns, those the user may read at least one member of (the one
    visibility function, per user: TLP:RED names people, not organisations)."""
    actor = actor_for_user(user, user.organisation)
    out: set[uuid.UUID] = set()
    for i in range(0, len(cids), CHUNK):
        out.update(
            session.scalars(
                select(Campaign.id).where(
                    Campaign.id.in_(cids[i : i + CHUNK]),
                    exists().where(
                        CampaignMember.campaign_id == Campaign.id,
                        CampaignMember.report_id == Report.id,
                        visible(Report, actor),
                    ),
                )
            )
        )
    return out


def _lead(ch: Change) -> str:
    per = ", ".join(
        f"{c} {n}" + (f" (+{ch.new[c]})" if c in ch.new and not ch.first else "")
        for c, n in sorted(ch.counts.items())
    )
    lead = (
        f"Campaign {short_id(ch.cid)} now spans {len(ch.counts)} countries."
        if ch.first
        else f"Campaign {short_id(ch.cid)} grew by {sum(ch.new.values())} report(s) in "
        f"{', '.join(sorted(ch.new))}."
    )
    return f"{lead} Reports by country: {per}."


def message(ch: Change, reader: bool) -> str:
    if reader:
        return (
            f"{_lead(ch)} Open the campaign to see the reports you may read; ask the holders "
            "through a cooperation request for the others."
        )
    return (
        f"{_lead(ch)} You may read none of them: ask the contact points of those countries "
        "through a cooperation request."
    )


def digest(
    subject: str, items: list[Change], readable_ids: set[uuid.UUID], link: str
) -> tuple[str, str]:
    """Body and link of one user's digest: the largest changes first, counts only, as in a
    single notice."""
    ranked = sorted(items, key=lambda ch: (-sum(ch.new.values()), str(ch.cid)))
    lines = [
        f"- {_lead(ch)}" + ("" if ch.cid in readable_ids else " You may read none of them.")
        for ch in ranked[:DIGEST_LINES]
    ]
    if len(ranked) > DIGEST_LINES:
        lines.append(f"- and {len(ranked) - DIGEST_LINES} more.")
    if readable_ids:
        tail = (
            "The campaigns list, sorted by growth, shows those whose reports you may read (its "
            "Campaign box finds one by the id above); ask the holders through a cooperation "
            "request for the others."
        )
    else:
        tail, link = (
            "You may read none of their reports: ask the contact points of those countries "
            "through a cooperation request.",
            "/cooperation/new",
        )
    return f"{subject}.\n" + "\n".join(lines) + f"\n{tail}", link


def send(
    session: Session,
    users: Sequence[User],
    subject: str,
    body: str,
    link: str,
    settings: Settings | None,
    kind: str = KIND,
) -> int:
    """One in-app notification per user, and one e-mail to them all when SMTP is set;
    returns how many notifications were written."""
    addressees = [notify.Addressee(u.id, u.email) for u in users]
    return len(
        notify.notify(
            session,
            addressees,
            kind=kind,
            subject=subject[:300],
            body=body,
            link=link,
            email=True,
            settings=settings,
        )
    )


def digest_limit(settings: Settings | None) -> int:
    """The setting, or its default for a caller without settings (never the process's
    cached settings: tests and tools pass their own)."""
    if settings is not None:
        return settings.campaign_notice_digest
    return int(Settings.model_fields["campaign_notice_digest"].default)


def unread(session: Session, user_id: uuid.UUID) -> int:
    """The user's unread campaign notifications, as an officer or a follower (for the link on
    the campaigns page)."""
    q = select(func.count()).where(
        notify.Notification.user_id == user_id,
        notify.Notification.kind.in_((KIND, FOLLOW_KIND)),
        notify.Notification.read_at.is_(None),
    )
    return int(session.scalar(q) or 0)


def run(
    session: Session,
    settings: Settings | None = None,
    campaign_ids: Sequence[uuid.UUID] | None = None,
    now: datetime | None = None,
) -> NoticeResult:
    """Notify about every multi-country campaign (or only ``campaign_ids``) that is new to
    notices or grew in a country since its last notice. Never commits."""
    now = now or utcnow()
    result = NoticeResult()
    counts = _counts(session, campaign_ids)
    if not counts:
        return result
    known: dict[uuid.UUID, dict[str, CampaignNotice]] = {}
    ids = list(counts)
    for i in range(0, len(ids), CHUNK):
        for row in session.scalars(
            select(CampaignNotice).where(CampaignNotice.campaign_id.in_(ids[i : i + CHUNK]))
        ):
            known.setdefault(row.campaign_id, {})[row.country] = row
    officers: dict[str | None, list[User]] = {}

    def of(country: str | None) -> list[User]:
        if country not in officers:
            officers[country] = _officers(session, country)
        return officers[country]

    changes: list[Change] = []
    for cid in sorted(counts, key=str):
        spread, before = counts[cid], known.get(cid, {})
        new = {
            c: n - (before[c].notified_count if c in before else 0)
            for c, n in spread.items()
            if n > (before[c].notified_count if c in before else 0)
        }
        if new:
            users = list({u.id: u for c in [*sorted(spread), None] for u in of(c)}.values())
            changes.append(Change(cid, spread, new, not before, users))
    readers = _readers(session, changes)
    per_user: dict[uuid.UUID, list[Change]] = {}
    for ch in changes:
        for u in ch.users:
            per_user.setdefault(u.id, []).append(ch)
    # An officer is not sent a thousand notices (and e-mails) after a bulk import.
    limit = digest_limit(settings)
    digested = {uid for uid, items in per_user.items() if len(items) > limit}
    for ch in changes:
        # Those who may read none of its reports get no link to a page that would be a 404
        # for them, but the way to ask for them.
        for reader, link in ((True, f"/campaigns/{ch.cid}"), (False, "/cooperation/new")):
            group = [
                u for u in ch.users if u.id not in digested and (u.id in readers[ch.cid]) is reader
            ]
            if not group:
                continue
            body = message(ch, reader)
            result.told.update((u.id, ch.cid) for u in group)
            result.notifications += send(session, group, body.split(".")[0], body, link, settings)
    by_id = {u.id: u for ch in changes for u in ch.users}
    for uid in sorted(digested, key=lambda u: by_id[u].email):
        items = per_user[uid]
        first = sum(1 for ch in items if ch.first)
        subject = f"{len(items)} cross-border campaigns: {first} new, {len(items) - first} grew"
        body, link = digest(
            subject, items, {ch.cid for ch in items if uid in readers[ch.cid]}, DIGEST_LINK
        )
        result.notifications += send(session, [by_id[uid]], subject, body, link, settings)
        result.digests += 1
        result.told.update((uid, ch.cid) for ch in items)
    for ch in changes:
        before = known.get(ch.cid, {})
        for country in ch.new:
            if country not in before:
                session.add(
                    CampaignNotice(
                        campaign_id=ch.cid,
                        country=country,
                        notified_count=ch.counts[country],
                        notified_at=now,
                    )
                )
            else:
                kept = before[country]
                kept.notified_count, kept.notified_at = ch.counts[country], now
        audit.record(
            session,
            SYSTEM,
            "campaign.notify",
            object_type="campaign",
            object_id=ch.cid,
            details={
                "new": ch.new,
                "first": ch.first,
                "recipients": len(ch.users),
                "in_digest": sum(1 for u in ch.users if u.id in digested),
            },
        )
        result.campaigns += 1
    session.flush()
    return result
