"""Correlation's jobs. Report intake defers ``correlation.link`` by name (reports sits below
correlation and may not import it; ADR 0012). Linking queues ``correlation.notify`` for the
multi-country campaigns it touched; the same job also runs periodically over every campaign,
so campaigns built another way (a bulk import, a recompute) are notified too."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from contactpoint.core.actor import SYSTEM
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.jobs import defer, job
from contactpoint.correlation import follows, notices, service


@job("correlation.link", retries=3)
def link(session: Session, report_ids: list[str]) -> dict[str, int]:
    """Link newly stored reports into campaigns (incremental), then queue notices for the
    campaigns of two or more countries they are now in."""
    linked = service.link_reports(session, [uuid.UUID(r) for r in report_ids])
    touched = sorted(map(str, linked.spanning))
    if touched:
        defer(session, "correlation.notify", campaign_ids=touched)
    return {"reports": len(report_ids)}


@job("correlation.split", retries=3)
def split(session: Session, indicator_ids: list[str]) -> dict[str, int]:
    """Take apart what indicators joined before a new report took them over the cap (queued
    by ``correlation.link``, so that linking one report never waits for it)."""
    service.take_apart(session, [uuid.UUID(i) for i in indicator_ids])
    return {"indicators": len(indicator_ids)}


@job("correlation.recompute", retries=1)
def recompute(session: Session) -> dict[str, int]:
    """Rebuild every campaign from the stored report-indicator links."""
    return {"campaigns": service.recompute(session, SYSTEM)}


@job("correlation.notify", cron="*/15 * * * *", retries=2)
def notify(session: Session, campaign_ids: list[str] | None = None) -> dict[str, int]:
    """Tell contact points about campaigns that first span countries or grew in one, then
    the followers of campaigns that grew (``campaign_ids``: only those; none: every
    campaign changed since its last notice)."""
    found = session.info.get("settings")
    settings = found if isinstance(found, Settings) else get_settings()
    ids = [uuid.UUID(c) for c in campaign_ids] if campaign_ids is not None else None
    done = notices.run(session, settings, ids)
    followers = follows.run(session, settings, ids, told=done.told)
    return {
        "campaigns": done.campaigns,
        "notifications": done.notifications,
        "digests": done.digests,
        "follower_notifications": followers.notifications,
    }
