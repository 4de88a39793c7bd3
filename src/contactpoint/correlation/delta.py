"""Linking that writes only the delta: the bulk importer's batches (:func:`link_bulk`) and
new reports one at a time (:func:`link_new`, the ``correlation.link`` job). One stored holder
of an indicator stands for its campaign, a merge moves only the smaller campaigns' members,
and totals are combined from the stored ones. Indicators that cross the cap are taken apart
by :func:`_split`. The results equal :func:`engine.recompute`
(tests/correlation/test_engine_bulk.py)."""

from __future__ import annotations

import uuid
from collections import Counter, defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, NamedTuple

from sqlalchemy import (
    String,
    Table,
    bindparam,
    case,
    cast,
    delete,
    exists,
    insert,
    select,
    update,
)
from sqlalchemy.orm import Session

from contactpoint.core import jobs
from contactpoint.core.db import new_id, new_ids, sorted_ids, utcnow
from contactpoint.correlation import unionfind
from contactpoint.correlation.engine import (
    CHUNK,
    _chunks,
    _holders,
    ikey,
    link_reports,
    not_linking,
)
from contactpoint.correlation.models import (
    Campaign,
    CampaignMember,
    IndicatorLinkState,
    ManualLink,
)
from contactpoint.correlation.states import LinkState
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports import copy
from contactpoint.reports.fastload import IndicatorCount, LinkBatch, register_linker
from contactpoint.reports.models import Report


# The reads of a link, built once with an expanding list of ids and run on the session's
# connection: building a statement, its cache key and the ORM's execution around it took
# about as long as running it (0.45 against 0.2 ms for the holders' read on SQLite). The
# link writes through Core and the driver, so no ORM object waits to be flushed first.
def _ids() -> Any:
    return bindparam("ids", expanding=True)


def _read(session: Session, statement: Any, ids: Sequence[uuid.UUID]) -> Iterable[Any]:
    return session.connection().execute(statement, {"ids": list(ids)})


_SPANNING = (
    select(Campaign.id, Campaign.countries)
    .join(CampaignMember, CampaignMember.campaign_id == Campaign.id)
    .where(CampaignMember.report_id.in_(_ids()))
)
# New reports: where each stands (a campaign an earlier link pulled it into; manual links).
_NEW_REPORTS = select(
    Report.id,
    Report.victim_country,
    Report.created_at,
    select(CampaignMember.campaign_id)
    .where(CampaignMember.report_id == Report.id)
    .scalar_subquery(),
    exists().where(ManualLink.report_id == Report.id),
).where(Report.id.in_(_ids()))
# Their links, with each indicator's count, warninglisting and link state.
_NEW_LINKS = (
    select(
        ReportIndicator.report_id,
        ReportIndicator.indicator_id,
        Indicator.report_count,
        Indicator.warninglisted,
        IndicatorLinkState.state,
    )
    .join(Indicator, Indicator.id == ReportIndicator.indicator_id)
    .outerjoin(IndicatorLinkState, IndicatorLinkState.indicator_id == Indicator.id)
    .where(ReportIndicator.report_id.in_(_ids()))
    .distinct()
)
# Every holder of the indicators, its campaign, and its report row's facts only when it is
# in no campaign (rare: its own link job has not run yet). The others' rows lie scattered
# over the reports table, and reading them was most of this read's time at a million.
_LONE = CampaignMember.campaign_id.is_(None)
_OWN = Report.id == ReportIndicator.report_id
_HOLDERS = (
    select(
        ReportIndicator.indicator_id,
        ReportIndicator.report_id,
        CampaignMember.campaign_id,
        case((_LONE, select(Report.victim_country).where(_OWN).scalar_subquery())),
        case((_LONE, select(Report.created_at).where(_OWN).scalar_subquery())),
    )
    .outerjoin(CampaignMember, CampaignMember.report_id == ReportIndicator.report_id)
    .where(ReportIndicator.indicator_id.in_(_ids()))
    .distinct()
)
_STATES = select(IndicatorLinkState.indicator_id, IndicatorLinkState.state).where(
    IndicatorLinkState.indicator_id.in_(_ids())
)
_CAMPAIGN_OF = select(CampaignMember.report_id, CampaignMember.campaign_id).where(
    CampaignMember.report_id.in_(_ids())
)
_TOTALS = select(
    Campaign.id, Campaign.size, Campaign.countries, Campaign.first_seen, Campaign.last_seen
).where(Campaign.id.in_(_ids()))
_FACTS = select(Report.id, Report.victim_country, Report.created_at).where(Report.id.in_(_ids()))


def link_bulk(session: Session, batch: LinkBatch, max_campaigns: int) -> None:
    """Bring campaigns up to date after a bulk-import batch, writing only the delta
    (:func:`_link_delta`). An indicator that crosses the cap in this batch stops linking;
    what it joined before is taken apart when the import ends (:func:`settle_crossed`)."""
    _link_delta(session, batch, max_campaigns)


class Linked(NamedTuple):
    """What linking new reports did: the indicators they took over the cap (to be taken
    apart by a job of its own), and the campaigns of two or more countries they are now in
    (to be notified)."""

    crossed: list[uuid.UUID]
    spanning: set[uuid.UUID]


def link_new(session: Session, report_ids: Sequence[uuid.UUID], max_campaigns: int) -> Linked:
    """Link reports just stored (the ``correlation.link`` job) through the delta path: one
    stored holder per indicator stands for its campaign, and a merge moves only the smaller
    campaigns' members, so a report that joins a campaign of thousands reads none of them.
    A report that an earlier report's link has already pulled into a campaign (its own job
    was still queued: a burst of submissions) is stood for by that campaign, whose totals
    count it already. Reports holding manual links go through :func:`link_reports`, which
    re-reads the closure.

    The indicators these reports took over the cap stop linking at once, but what they
    joined before is left for :func:`take_apart`: that reads every member of the
    campaigns involved (half a second for one of 9,000), so the caller queues it as a job of
    its own rather than make this report's link wait (docs/campaigns.md)."""
    new_ids = list(dict.fromkeys(report_ids))
    if not new_ids:
        return Linked([], set())
    found = _batch_of(session, new_ids) if len(new_ids) <= CHUNK else None
    if found is None:
        link_reports(session, new_ids, max_campaigns)
        return Linked([], _spanning(session, new_ids))
    batch, states, joined = found
    spanning, crossed = _link_delta(
        session, batch, max_campaigns, read_held=True, states=states, joined=joined
    )
    return Linked(crossed, spanning)


def _spanning(session: Session, report_ids: Sequence[uuid.UUID]) -> set[uuid.UUID]:
    """The campaigns of two or more countries these reports are in."""
    out: set[uuid.UUID] = set()
    for part in _chunks(sorted_ids(report_ids)):
        rows = _read(session, _SPANNING, part)
        out.update(cid for cid, countries in rows if len(countries or []) >= 2)
    return out


def take_apart(session: Session, indicator_ids: Sequence[uuid.UUID]) -> None:
    """Take apart what these over-correlating indicators joined before they crossed the
    cap. Safe to run again, and late: it computes the current components of their holders'
    campaigns, whatever joined them since."""
    seeds = _holders(session, [ikey(i) for i in indicator_ids])
    if seeds:
        _split(session, seeds)


def _batch_of(
    session: Session, new_ids: list[uuid.UUID]
) -> tuple[LinkBatch, dict[uuid.UUID, LinkState], dict[uuid.UUID, uuid.UUID]] | None:
    """What :func:`link_bulk` is given for a batch, read back for stored reports, with the
    link states of their indicators and the campaign of each report already in one (pulled
    in by an earlier report's link; not in the batch's ``reports``); None when one of them
    holds a manual link. Two statements: a report's link is a job of its own, and on
    PostgreSQL each statement is a round trip."""
    reports: list[tuple[uuid.UUID, str, datetime]] = []
    joined: dict[uuid.UUID, uuid.UUID] = {}
    for rid, country, at, cid, by_hand in _read(session, _NEW_REPORTS, new_ids):
        if by_hand:
            return None
        if cid is not None:
            joined[rid] = cid
        else:
            reports.append((rid, country, at))
    links: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    info: dict[uuid.UUID, tuple[int, bool]] = {}
    states: dict[uuid.UUID, LinkState] = {}
    for rid, iid, count, listed, state in _read(session, _NEW_LINKS, new_ids):
        links[rid].add(iid)
        info[iid] = (int(count), bool(listed))
        if state is not None:
            states[iid] = state
    added = Counter(i for iids in links.values() for i in iids)
    indicators = {
        iid: IndicatorCount(count, added[iid], listed) for iid, (count, listed) in info.items()
    }
    batch = LinkBatch(reports, {r: list(iids) for r, iids in links.items()}, indicators)
    return batch, states, joined


# Where a stored report stands: its campaign (None: in none), and for one in no campaign
# its victim country and arrival (None for one in a campaign: its campaign's totals count).
_Place = tuple[uuid.UUID | None, str | None, datetime | None]


def _held_apart(
    session: Session, indicator_ids: Sequence[uuid.UUID], new_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, set[uuid.UUID]], dict[uuid.UUID, _Place]]:
    """Every holder of these linking indicators other than ``new_ids`` (whose links are
    stored already), and where each holder stands, in one statement. All holders, not one
    as a bulk batch needs: a stored report whose own link job has not run yet is in no
    campaign, and would otherwise be left out. A linking indicator has at most the cap's
    number of holders (unless an analyst lifted it)."""
    out: dict[uuid.UUID, set[uuid.UUID]] = defaultdict(set)
    where: dict[uuid.UUID, _Place] = {}
    new = set(new_ids)
    for part in _chunks(sorted_ids(indicator_ids)):
        for iid, rid, cid, country_of, at in _read(session, _HOLDERS, part):
            if rid not in new:
                out[iid].add(rid)
                where[rid] = (cid, country_of, at)
    return out, where


def _link_delta(
    session: Session,
    batch: LinkBatch,
    max_campaigns: int,
    *,
    read_held: bool = False,
    states: dict[uuid.UUID, LinkState] | None = None,
    joined: dict[uuid.UUID, uuid.UUID] | None = None,
) -> tuple[set[uuid.UUID], list[uuid.UUID]]:
    """Join a batch's new reports with the stored campaigns, writing only the delta.

    Persisted campaigns are closed under linking, so one stored holder of an indicator
    stands for its whole campaign: the batch's new reports are joined, in a union-find the
    size of the batch, with those holders' campaigns (or lone reports). A merge keeps the
    campaign with most members (ties: the smallest id, as :func:`_persist` does) and moves
    only the smaller ones' members; totals are combined from the stored ones, so a big
    campaign is never rewritten. An indicator that crosses the cap in this batch stops
    linking; what it joined before is taken apart when the import ends
    (:func:`settle_crossed`). The result, settled, equals :func:`recompute` on the same
    data (tests/correlation/test_engine_bulk.py). Returns the campaigns of two or more
    countries touched, and the indicators that crossed the cap (now over-correlating).
    ``states``: the indicators' link states, when the caller has read them already.
    ``joined``: reports of ``batch.links`` already in a campaign (report -> campaign), not
    in ``batch.reports``: their campaign stands for them, and its totals count them."""
    joined = joined or {}
    info = batch.indicators
    candidates = sorted_ids(i for i, c in info.items() if not c.warninglisted)
    if states is None:
        states = {}
        for part in _chunks(candidates):
            states.update((iid, st) for iid, st in _read(session, _STATES, part))
    linking: set[uuid.UUID] = set()
    crossed: list[uuid.UUID] = []
    for iid in candidates:
        c = info[iid]
        st = states.get(iid)
        if st is None and c.count > max_campaigns:
            crossed.append(iid)
        elif st is None or st is LinkState.LIFTED:
            linking.add(iid)
    if crossed:
        session.execute(
            insert(IndicatorLinkState),
            [{"id": new_id(), "indicator_id": i, "state": LinkState.OVER} for i in crossed],
        )
    # From here on ids are ints (UUID.int): a UUID's hash is Python code, and a batch's
    # union-find and lookups hash its ids about 80 times per report.
    nodes: dict[int, uuid.UUID] = {}
    linking_ints = {i.int for i in linking}
    # Stored holders of each linking indicator: one stands for its campaign in a bulk batch.
    anchor: dict[int, list[uuid.UUID]]
    placed: dict[int, _Place] = {}  # holders whose campaign and facts are read already
    if read_held:  # the batch's links are stored already: read the others' (link_new)
        stored = [i for i in linking if info[i].count > info[i].added]
        mine = sorted_ids([*(r for r, _, _ in batch.reports), *joined])
        held, where = _held_apart(session, stored, mine)
        anchor = {i.int: list(hs) for i, hs in held.items()}
        placed = {r.int: w for r, w in where.items()}
    else:
        anchor = {i.int: [h] for i, h in batch.held.items() if i.int in linking_ints}
    for others in anchor.values():
        nodes.update((h.int, h) for h in others)
    olds = [nodes[n] for n in sorted(nodes)]
    # The holders' campaigns, then each campaign's totals once: most holders are in a few
    # big campaigns, and decoding their totals per holder was most of the reading.
    campaign_of: dict[int, int] = {rid.int: cid.int for rid, cid in joined.items()}
    nodes.update((cid.int, cid) for cid in joined.values())
    for rid_int, (cid, _, _) in placed.items():
        if cid is not None:
            campaign_of[rid_int] = cid.int
            nodes.setdefault(cid.int, cid)
    for part in _chunks([o for o in olds if o.int not in placed]):
        for rid, cid in _read(session, _CAMPAIGN_OF, part):
            camp = campaign_of[rid.int] = cid.int
            nodes.setdefault(camp, cid)
    camps: dict[int, _Totals] = {}
    for part in _chunks([nodes[c] for c in sorted(set(campaign_of.values()))]):
        for cid, size, countries, first, last in _read(session, _TOTALS, part):
            camps[cid.int] = _Totals(size, set(countries or []), first, last)
    lone: dict[int, tuple[str, datetime]] = {}
    for rid, country, at in batch.reports:
        nodes[rid.int] = rid
        lone[rid.int] = (country, at)
    for rid_int, (cid, where_from, arrived) in placed.items():
        if cid is None and where_from is not None and arrived is not None:
            lone[rid_int] = (where_from, arrived)
    for part in _chunks([r for r in olds if r.int not in campaign_of and r.int not in placed]):
        for rid, country, at in _read(session, _FACTS, part):
            lone[rid.int] = (country, at)

    # Each node (a new report, a stored campaign or a lone stored report) with the linking
    # indicators it holds or stands for; the components are the merged groups.
    keys_of: dict[int, list[int]] = {rid.int: [] for rid, _, _ in batch.reports}
    keys_of.update((cid.int, []) for cid in joined.values())
    for rid, iids in batch.links.items():
        end = campaign_of.get(rid.int, rid.int)  # a joined report: its campaign
        keys_of[end] += [i for i in (iid.int for iid in iids) if i in linking_ints]
    for i, others in anchor.items():
        for o in others:
            end = campaign_of.get(o.int, o.int)
            keys_of.setdefault(end, []).append(i)
    touched = _persist_delta(session, unionfind.components(keys_of), camps, lone, nodes)
    return touched, crossed


def settle_crossed(session: Session, since: datetime) -> None:
    """At the end of a bulk import: take apart what the indicators that crossed the cap
    during it had joined before they crossed. Done once, not in every batch: a split reads
    every member of the campaigns involved, and a big import meets hubs in most batches.
    Until then, such campaigns may hold reports joined only through a hub. It reads the
    states made since the import first started, so a resumed import settles what the
    interrupted run left. Then it queues one notice run over every campaign changed since
    its last notice."""
    crossed = sorted(
        session.scalars(
            select(IndicatorLinkState.indicator_id).where(
                IndicatorLinkState.state == LinkState.OVER, IndicatorLinkState.created_at >= since
            )
        )
    )
    take_apart(session, crossed)
    # Contact points and followers hear of what the import changed once, when it ends (and
    # from the periodic run while it goes on): a notice run per batch gave every officer a
    # digest per batch. By job name: the notices live with the campaign pages.
    jobs.defer(session, "correlation.notify")


def _split(session: Session, seeds: set[uuid.UUID]) -> None:
    """Take apart the campaigns of ``seeds`` where an indicator that stopped linking held
    them together, writing only the pieces that leave: blocking a key can only split a
    stored campaign, never join two, so the piece with most members keeps the campaign (as
    in :func:`_persist`) and an unchanged campaign is not written at all."""
    campaigns: set[uuid.UUID] = set()
    for part in _chunks(sorted_ids(seeds)):
        campaigns.update(
            session.scalars(
                select(CampaignMember.campaign_id).where(CampaignMember.report_id.in_(part))
            )
        )
    now = utcnow()
    for part in _chunks(sorted_ids(campaigns), SPLIT_CHUNK):
        keys, blocked = _linking_keys(session, part)
        for cid, held in keys.items():
            pieces = unionfind.components(held, blocked)
            if len(pieces) == 1:
                continue  # the key was not a bridge: nothing to write
            _write_pieces(session, cid, pieces, now)


SPLIT_CHUNK = 20  # campaigns read at a time: their members' links are held in memory


def _linking_keys(
    session: Session, campaign_ids: Sequence[uuid.UUID]
) -> tuple[dict[uuid.UUID, dict[str, list[str]]], set[str]]:
    """Each campaign's members (ids as text) with their keys (indicator ids as text, and
    manual links), and the keys among them that do not link (:func:`engine.not_linking`).
    Links are read as the driver's text, not UUIDs: a campaign of 9,000 has some 40,000,
    and making a UUID of each was most of a split's time; only the distinct indicators
    become UUIDs, to look up the rule. Links are read by member id, 500 at a time, from
    the (report, indicator) key alone, so that the planner walks that index whatever its
    statistics say."""
    out: dict[uuid.UUID, dict[str, list[str]]] = defaultdict(dict)
    keys_of: dict[str, list[str]] = {}  # a report is in one campaign at most
    members: list[uuid.UUID] = []
    for cid, rid, text in session.execute(
        select(
            CampaignMember.campaign_id,
            CampaignMember.report_id,
            cast(CampaignMember.report_id, String).label("text"),
        ).where(CampaignMember.campaign_id.in_(campaign_ids))
    ):
        out[cid][text] = keys_of[text] = []
        members.append(rid)
    indicators: set[str] = set()
    for part in _chunks(sorted_ids(members)):
        links = select(
            cast(ReportIndicator.report_id, String), cast(ReportIndicator.indicator_id, String)
        ).where(ReportIndicator.report_id.in_(part))
        for text, key in session.execute(links):
            keys_of[text].append(key)
            indicators.add(key)
        manual = select(cast(ManualLink.report_id, String), ManualLink.key).where(
            ManualLink.report_id.in_(part)
        )
        for text, key in session.execute(manual):
            keys_of[text].append(key)
    as_text = {uuid.UUID(k): k for k in indicators}
    return out, {as_text[i] for i in not_linking(session, as_text)}


def _write_pieces(session: Session, cid: uuid.UUID, found: list[set[str]], now: datetime) -> None:
    """Store the pieces a campaign fell into: the biggest keeps it, the others leave."""
    pieces = [sorted_ids(uuid.UUID(r) for r in piece) for piece in found]
    pieces.sort(key=len, reverse=True)
    facts = {
        rid: (country, at)
        for piece in pieces
        for part in _chunks(piece)
        for rid, country, at in _read(session, _FACTS, part)
    }
    for n, ids in enumerate(pieces):
        total = _Totals(0, set(), None, None)
        for r in ids:
            total.add(*facts[r])
        values = total.columns(now)
        if n == 0 and len(ids) >= 2:
            session.execute(update(Campaign), [{"id": cid, **values}])
            continue
        if n == 0:  # only lone reports are left: the campaign goes
            session.execute(delete(CampaignMember).where(CampaignMember.campaign_id == cid))
            session.execute(delete(Campaign).where(Campaign.id == cid))
            break
        if len(ids) < 2:
            target = None  # a lone report is in no campaign
        else:
            target = new_id()
            session.execute(insert(Campaign), [{"id": target, "created_at": now, **values}])
        for part in _chunks(ids):
            stmt: Any = (
                delete(CampaignMember)
                if target is None
                else update(CampaignMember).values(campaign_id=target)
            )
            session.execute(
                stmt.where(CampaignMember.report_id.in_(part)).execution_options(
                    synchronize_session=False
                )
            )


@dataclass
class _Totals:
    size: int
    countries: set[str]
    first: datetime | None
    last: datetime | None

    def add(self, country: str, at: datetime | None) -> None:
        self.size += 1
        self.countries.add(country)
        self.take(at, at)

    def columns(self, now: datetime) -> dict[str, Any]:
        """The campaign's columns for these totals."""
        return {
            "size": self.size,
            "countries": sorted(self.countries),
            "first_seen": self.first,
            "last_seen": self.last,
            "updated_at": now,
        }

    def take(self, first: datetime | None, last: datetime | None) -> None:
        if first is not None and (self.first is None or first < self.first):
            self.first = first
        if last is not None and (self.last is None or last > self.last):
            self.last = last


def _persist_delta(
    session: Session,
    groups: list[set[int]],
    camps: dict[int, _Totals],
    lone: dict[int, tuple[str, datetime]],
    nodes: dict[int, uuid.UUID],
) -> set[uuid.UUID]:
    """Write the merged groups of ``nodes`` (stored campaigns in ``camps``, reports in
    ``lone``, each by ``UUID.int``); returns the campaigns of two or more countries
    touched."""
    now = utcnow()
    multi: set[uuid.UUID] = set()
    created: list[dict[str, object]] = []
    changed: list[dict[str, object]] = []
    members: list[tuple[uuid.UUID, uuid.UUID]] = []
    moves: list[tuple[uuid.UUID, list[uuid.UUID]]] = []
    fresh = iter(new_ids(len(groups)))  # one each at most, made in bulk
    for group in groups:
        mine = [n for n in group if n in camps]
        reports = [n for n in group if n not in camps]
        if sum(camps[c].size for c in mine) + len(reports) < 2:
            continue  # a report on its own: no campaign
        total = _Totals(0, set(), None, None)
        for c in mine:
            t = camps[c]
            total.size += t.size
            total.countries |= t.countries
            total.take(t.first, t.last)
        for r in reports:
            total.add(*lone[r])
        values = total.columns(now)
        if mine:
            best = min(mine, key=lambda c: (-camps[c].size, str(nodes[c])))
            keeper = nodes[best]
            changed.append({"id": keeper, **values})
            losers = [nodes[c] for c in mine if c != best]
            if losers:
                moves.append((keeper, losers))
        else:
            keeper = next(fresh)
            created.append({"id": keeper, "created_at": now, **values})
        members.extend((nodes[r], keeper) for r in reports)
        if len(total.countries) >= 2:
            multi.add(keeper)
    copy.copy_rows(session, _table(Campaign), created)
    copy.update_rows(session, _table(Campaign), changed)
    if moves:
        # One statement each, run by the driver over every (keeper, loser) pair.
        pairs = [{"keeper": k, "loser": loser} for k, losers in moves for loser in losers]
        members_t, campaigns_t = _table(CampaignMember), _table(Campaign)
        conn = session.connection()
        conn.execute(
            update(members_t)
            .where(members_t.c.campaign_id == bindparam("loser"))
            .values(campaign_id=bindparam("keeper")),
            pairs,
        )
        conn.execute(delete(campaigns_t).where(campaigns_t.c.id == bindparam("loser")), pairs)
    if members:
        as_id = copy.id_writer(session)
        copy.write_rows(
            session,
            _table(CampaignMember).name,
            ("report_id", "campaign_id"),
            [(as_id(r), as_id(c)) for r, c in members],
        )
    return multi


register_linker(
    link_bulk,
    settle_crossed,
    tables=[
        Campaign.__tablename__,
        CampaignMember.__tablename__,
        IndicatorLinkState.__tablename__,
    ],
)


def _table(model: Any) -> Table:
    table: Table = model.__table__
    return table
