"""Following a campaign: an analyst, investigator or officer is told when a campaign they
follow grows, whichever countries it spans (officers' notices cover only cross-border
campaigns, and only their own countries').

A follow is anchored to a member report the user may see, so it survives the campaign
taking another id (merge, split, recompute). Growth is measured per country against the
counts at the follow or the last notice, over all members, and told as counts only, like
officers' notices. The ``correlation.notify`` job tells followers after officers, and
skips a user an officer notice has just told about the same campaign.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import Select, delete, exists, select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import User
from contactpoint.core import audit
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings
from contactpoint.core.db import utcnow
from contactpoint.correlation import notices
from contactpoint.correlation.actions import a_visible_member
from contactpoint.correlation.models import Campaign, CampaignFollow, CampaignMember
from contactpoint.correlation.service import READ, _need

KIND = notices.FOLLOW_KIND
FOLLOWED_LINK = "/campaigns?followed=1&sort=growth&growth_days=1"


def _mine(actor: Actor, campaign_id: uuid.UUID) -> Select[CampaignFollow]:
    """The actor's follows anchored in the campaign."""
    return select(CampaignFollow).where(
        CampaignFollow.user_id == actor.user_id,
        CampaignFollow.report_id.in_(
            select(CampaignMember.report_id).where(CampaignMember.campaign_id == campaign_id)
        ),
    )


def is_following(session: Session, actor: Actor, campaign_id: uuid.UUID) -> bool:
    if actor.user_id is None:
        return False
    return session.scalar(select(exists(_mine(actor, campaign_id).subquery()))) is True


def follow(session: Session, actor: Actor, campaign_id: uuid.UUID) -> bool:
    """Follow the campaign (404 when the actor may see none of it). False when already
    following it; following twice keeps one follow."""
    _need(actor, READ)
    anchor = a_visible_member(session, actor, campaign_id)
    if actor.user_id is None or is_following(session, actor, campaign_id):
        return False
    counts = notices.per_country(session, [campaign_id]).get(campaign_id, {})
    session.add(
        CampaignFollow(user_id=actor.user_id, report_id=anchor, counts=counts, notified_at=utcnow())
    )
    session.flush()
    audit.record(
        session,
        actor,
        "campaign.follow",
        object_type="campaign",
        object_id=campaign_id,
        details={"anchor_report_id": str(anchor), "reports": sum(counts.values())},
    )
    return True


def unfollow(session: Session, actor: Actor, campaign_id: uuid.UUID) -> bool:
    """Stop following the campaign; False when the actor did not follow it."""
    _need(actor, READ)
    a_visible_member(session, actor, campaign_id)
    ids = [f.id for f in session.scalars(_mine(actor, campaign_id))]
    if not ids:
        return False
    session.execute(delete(CampaignFollow).where(CampaignFollow.id.in_(ids)))
    audit.record(session, actor, "campaign.unfollow", object_type="campaign", object_id=campaign_id)
    return True


def run(
    session: Session,
    settings: Settings | None = None,
    campaign_ids: Sequence[uuid.UUID] | None = None,
    told: set[tuple[uuid.UUID, uuid.UUID]] | None = None,
    now: datetime | None = None,
) -> notices.NoticeResult:
    """Tell followers of the given campaigns (none: of every campaign changed since their
    last notice) how they grew. ``told``: (user, campaign) pairs already told in this run,
    whose counts are brought up to date without a second notice. Never commits."""
    now = now or utcnow()
    result = notices.NoticeResult()
    m = CampaignMember
    # From the follows (people follow few campaigns), never from the campaigns' members: a
    # bulk import batch names thousands of campaigns, some of thousands of members.
    q = (
        select(CampaignFollow, m.campaign_id)
        .join(m, m.report_id == CampaignFollow.report_id)
        .join(Campaign, Campaign.id == m.campaign_id)
    )
    if campaign_ids is not None:
        wanted = set(campaign_ids)
        rows = [row for row in session.execute(q) if row[1] in wanted]
    else:
        rows = list(session.execute(q.where(Campaign.updated_at > CampaignFollow.notified_at)))
    if not rows:
        return result
    counts = notices.per_country(session, sorted({cid for _, cid in rows}, key=str))
    users = {
        u.id: u
        for u in session.scalars(
            select(User).where(User.id.in_({f.user_id for f, _ in rows}), User.active.is_(True))
        )
    }
    per_user: dict[uuid.UUID, list[notices.Change]] = {}
    seen: set[tuple[uuid.UUID, uuid.UUID]] = set()
    for f, cid in sorted(rows, key=lambda r: (str(r[1]), str(r[0].user_id))):
        now_counts = counts.get(cid, {})
        new = {c: n - f.counts.get(c, 0) for c, n in now_counts.items() if n > f.counts.get(c, 0)}
        # A campaign that shrank (split) is measured from its new size from now on.
        f.counts, f.notified_at = now_counts, now
        # Two follows of one user can meet in one campaign (a merge): one notice.
        pair = (f.user_id, cid)
        if new and f.user_id in users and pair not in seen and pair not in (told or ()):
            seen.add(pair)
            change = notices.Change(cid, now_counts, new, False, [users[f.user_id]])
            per_user.setdefault(f.user_id, []).append(change)
    limit = notices.digest_limit(settings)
    for uid, items in sorted(per_user.items(), key=lambda kv: users[kv[0]].email):
        readable = notices.readable(session, users[uid], [ch.cid for ch in items])
        if len(items) > limit:
            subject = f"{len(items)} campaigns you follow grew"
            body, link = notices.digest(subject, items, readable, FOLLOWED_LINK)
            result.digests += 1
            messages = [(subject, body, link)]
        else:
            messages = []
            for ch in items:
                body = notices.message(ch, ch.cid in readable)
                link = f"/campaigns/{ch.cid}" if ch.cid in readable else "/cooperation/new"
                messages.append((f"{body.split('.')[0]} (you follow it)", body, link))
        for subject, body, link in messages:
            result.notifications += notices.send(
                session, [users[uid]], subject, body, link, settings, KIND
            )
        result.told.update((uid, ch.cid) for ch in items)
    result.campaigns = len({cid for _, cid in result.told})
    session.flush()
    return result
