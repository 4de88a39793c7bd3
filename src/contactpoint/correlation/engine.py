"""The correlation engine on the database: incremental linking of new reports and a full
recompute. Both rebuild components with the pure :func:`unionfind.components`, so they agree.

Incremental linking loads only the *closure* of the new reports: the other holders of their
linking indicators and every member of the campaigns those belong to. Persisted campaigns are
closed under linking keys, so nothing outside the closure can change.
"""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Sequence

from sqlalchemy import delete, func, select
from sqlalchemy.orm import Session

from contactpoint.core.db import sorted_ids, utcnow
from contactpoint.correlation import unionfind
from contactpoint.correlation.models import (
    Campaign,
    CampaignMember,
    IndicatorLinkState,
    ManualLink,
)
from contactpoint.correlation.states import LinkState
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports.models import Report

CHUNK = 500  # ids per IN (...) clause: well under SQLite's variable limit
Key = str


def ikey(indicator_id: uuid.UUID) -> Key:
    return f"i:{indicator_id}"


def _chunks(ids: Sequence[uuid.UUID], size: int = CHUNK) -> Iterable[Sequence[uuid.UUID]]:
    for i in range(0, len(ids), size):
        yield ids[i : i + size]


def _states(session: Session) -> dict[uuid.UUID, IndicatorLinkState]:
    return {s.indicator_id: s for s in session.scalars(select(IndicatorLinkState))}


def states_of(
    session: Session, indicator_ids: Sequence[uuid.UUID]
) -> dict[uuid.UUID, IndicatorLinkState]:
    """The states of these indicators alone (the table grows with every hub met)."""
    out: dict[uuid.UUID, IndicatorLinkState] = {}
    for part in _chunks(sorted_ids(indicator_ids)):
        out.update(
            (st.indicator_id, st)
            for st in session.scalars(
                select(IndicatorLinkState).where(IndicatorLinkState.indicator_id.in_(part))
            )
        )
    return out


def _keys_of(session: Session, report_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, set[Key]]:
    """Linking keys per report: its non-warninglisted indicators and its manual links."""
    out: dict[uuid.UUID, set[Key]] = {r: set() for r in report_ids}
    for part in _chunks(list(report_ids)):
        rows = session.execute(
            select(ReportIndicator.report_id, ReportIndicator.indicator_id)
            .join(Indicator, Indicator.id == ReportIndicator.indicator_id)
            .where(ReportIndicator.report_id.in_(part), Indicator.warninglisted.is_(False))
            .distinct()
        )
        for rid, iid in rows:
            out[rid].add(ikey(iid))
        for rid, key in session.execute(
            select(ManualLink.report_id, ManualLink.key).where(ManualLink.report_id.in_(part))
        ):
            out[rid].add(key)
    return out


def _holders(session: Session, keys: Iterable[Key]) -> set[uuid.UUID]:
    ind = [uuid.UUID(k[2:]) for k in keys if not unionfind.is_manual(k)]
    manual = [k for k in keys if unionfind.is_manual(k)]
    out: set[uuid.UUID] = set()
    for part in _chunks(ind):
        out |= set(
            session.scalars(
                select(ReportIndicator.report_id).where(ReportIndicator.indicator_id.in_(part))
            )
        )
    if manual:
        out |= set(session.scalars(select(ManualLink.report_id).where(ManualLink.key.in_(manual))))
    return out


def _counts(session: Session, indicator_ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, int]:
    out: dict[uuid.UUID, int] = {}
    for part in _chunks(indicator_ids):
        rows = session.execute(
            select(
                ReportIndicator.indicator_id, func.count(func.distinct(ReportIndicator.report_id))
            )
            .where(ReportIndicator.indicator_id.in_(part))
            .group_by(ReportIndicator.indicator_id)
        )
        out.update({iid: int(n) for iid, n in rows})
    return out


def _blocked(states: dict[uuid.UUID, IndicatorLinkState]) -> set[Key]:
    return {ikey(i) for i, s in states.items() if s.state in (LinkState.EXCLUDED, LinkState.OVER)}


def not_linking(session: Session, indicator_ids: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    """The linking rule, read for these indicators alone: those that do not link are the
    warninglisted, the excluded and the over-correlating (the table of states grows with
    every hub a big import meets). Looked up by id, 500 at a time, so that the planner
    probes the primary keys whatever its statistics say: a join from a report's links to
    these tables made PostgreSQL scan every indicator for each chunk."""
    out: set[uuid.UUID] = set()
    for part in _chunks(sorted_ids(indicator_ids)):
        out.update(
            session.scalars(
                select(Indicator.id).where(Indicator.id.in_(part), Indicator.warninglisted)
            )
        )
        out.update(
            session.scalars(
                select(IndicatorLinkState.indicator_id).where(
                    IndicatorLinkState.indicator_id.in_(part),
                    IndicatorLinkState.state.in_((LinkState.EXCLUDED, LinkState.OVER)),
                )
            )
        )
    return out


def _blocked_among(session: Session, keys: Iterable[Key]) -> set[Key]:
    """The keys among ``keys`` that do not link (:func:`not_linking`)."""
    ids = [uuid.UUID(k[2:]) for k in keys if not unionfind.is_manual(k)]
    return {ikey(i) for i in not_linking(session, ids)}


def link_reports(session: Session, report_ids: Sequence[uuid.UUID], max_campaigns: int) -> None:
    """Bring campaigns up to date after ``report_ids`` were added, or after the state of
    indicators they hold changed (exclusion, lifting, merge)."""
    seeds = list(dict.fromkeys(report_ids))
    if not seeds:
        return
    seed_keys = set().union(*_keys_of(session, seeds).values())
    seed_inds = [uuid.UUID(k[2:]) for k in seed_keys if not unionfind.is_manual(k)]
    states = states_of(session, seed_inds)
    counts = _counts(session, seed_inds)
    load: set[Key] = {k for k in seed_keys if unionfind.is_manual(k)}
    for iid in seed_inds:
        st = states.get(iid)
        if st is None and counts.get(iid, 0) > max_campaigns:
            # It crosses the cap now: it stops linking, and what it joined is taken apart.
            st = IndicatorLinkState(indicator_id=iid, state=LinkState.OVER)
            session.add(st)
            states[iid] = st
            load.add(ikey(iid))
        elif st is None or st.state is LinkState.LIFTED:
            load.add(ikey(iid))
    closure = set(seeds) | _holders(session, load)
    campaigns = _campaigns_of(session, closure)
    if campaigns:
        closure |= set(
            session.scalars(
                select(CampaignMember.report_id).where(CampaignMember.campaign_id.in_(campaigns))
            )
        )
    keys = _keys_of(session, sorted_ids(closure))
    blocked = _blocked_among(session, {k for ks in keys.values() for k in ks})
    _persist(session, unionfind.components(keys, blocked))


def recompute(
    session: Session, max_campaigns: int, progress: Callable[[int, int], None] | None = None
) -> int:
    """Rebuild every campaign from the report-indicator links; campaign ids are kept where
    members stay together. Returns the number of campaigns."""
    report_ids = list(session.scalars(select(Report.id).order_by(Report.created_at, Report.id)))
    keys = _keys_of(session, report_ids)
    holders: dict[Key, set[uuid.UUID]] = defaultdict(set)
    for rid, ks in keys.items():
        for k in ks:
            holders[k].add(rid)
    states = _states(session)
    for k, hs in holders.items():
        if unionfind.is_manual(k):
            continue
        iid = uuid.UUID(k[2:])
        st = states.get(iid)
        over = len(hs) > max_campaigns
        if st is None and over:
            states[iid] = IndicatorLinkState(indicator_id=iid, state=LinkState.OVER)
            session.add(states[iid])
        elif st is not None and st.state is LinkState.OVER and not over:
            session.delete(st)  # the cap was raised: it links again
            del states[iid]
    session.flush()
    groups = unionfind.components(keys, _blocked(states))
    _persist(session, groups, progress=progress, everything=True)
    return sum(1 for g in groups if len(g) > 1)


def _campaigns_of(session: Session, reports: Iterable[uuid.UUID]) -> set[uuid.UUID]:
    out: set[uuid.UUID] = set()
    for part in _chunks(list(reports)):
        out |= set(
            session.scalars(
                select(CampaignMember.campaign_id).where(CampaignMember.report_id.in_(part))
            )
        )
    return out


def _persist(
    session: Session,
    groups: list[set[uuid.UUID]],
    *,
    progress: Callable[[int, int], None] | None = None,
    everything: bool = False,
) -> None:
    """Store ``groups`` (the complete components of the affected reports). A group keeps the
    campaign that held most of its members, so ids survive growth, splits and recompute."""
    affected = sorted_ids(set().union(*groups)) if groups else []
    old: dict[uuid.UUID, uuid.UUID] = {}
    for part in _chunks(affected):
        rows = session.execute(
            select(CampaignMember.report_id, CampaignMember.campaign_id).where(
                CampaignMember.report_id.in_(part)
            )
        )
        old.update({rid: cid for rid, cid in rows})
    old_ids = set(old.values())
    if everything:
        old_ids |= set(session.scalars(select(Campaign.id)))
    for part in _chunks(affected):
        session.execute(delete(CampaignMember).where(CampaignMember.report_id.in_(part)))
    claimed: set[uuid.UUID] = set()
    kept = [g for g in groups if len(g) > 1]
    kept.sort(key=len, reverse=True)  # the biggest piece of a split keeps the id
    for n, group in enumerate(kept):
        votes = Counter(old[r] for r in group if r in old and old[r] not in claimed)
        cid = min(votes, key=lambda c: (-votes[c], str(c))) if votes else None
        campaign = session.get(Campaign, cid) if cid else None
        if campaign is None:
            campaign = Campaign()
            session.add(campaign)
            session.flush()
        claimed.add(campaign.id)
        session.add_all(CampaignMember(report_id=r, campaign_id=campaign.id) for r in group)
        _totals(session, campaign, sorted_ids(group))
        if progress:
            progress(n + 1, len(kept))
    gone = old_ids - claimed
    for part in _chunks(sorted_ids(gone)):
        session.execute(delete(Campaign).where(Campaign.id.in_(part)))
    session.flush()


def _totals(session: Session, campaign: Campaign, members: Sequence[uuid.UUID]) -> None:
    countries: set[str] = set()
    first = last = None
    for part in _chunks(members):
        row = session.execute(
            select(func.min(Report.created_at), func.max(Report.created_at)).where(
                Report.id.in_(part)
            )
        ).one()
        first = row[0] if first is None or (row[0] and row[0] < first) else first
        last = row[1] if last is None or (row[1] and row[1] > last) else last
        countries |= set(
            session.scalars(select(Report.victim_country).where(Report.id.in_(part)).distinct())
        )
    campaign.size = len(members)
    campaign.countries = sorted(countries)
    campaign.first_seen = first
    campaign.last_seen = last
    campaign.updated_at = utcnow()
