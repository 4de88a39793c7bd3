"""The bulk linker of `reports import`: campaigns after an import equal a full recompute on
the same data (same members, same totals, same ids), through merges of stored campaigns,
lone stored reports, indicators crossing the cap in a later batch, and exclusions."""

from __future__ import annotations

import json
import random
import uuid
from datetime import datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import jobs
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.correlation import delta, engine
from contactpoint.correlation import service as campaigns
from contactpoint.correlation.models import Campaign, CampaignMember, IndicatorLinkState
from contactpoint.correlation.states import LinkState
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports import service as reports
from contactpoint.reports.bulk import import_file
from contactpoint.reports.models import Source
from contactpoint.reports.schemas import ReportIn
from factories import actor_of, make_org, make_user, report_data

CAP = 4
Snapshot = dict[frozenset[uuid.UUID], tuple[Any, ...]]


@pytest.fixture
def bank(factory: sessionmaker[Session]) -> Actor:
    with transaction(factory) as s:
        org = make_org(s, "Bank A", "bank", "FR")
        make_org(s, "Police FR", "law-enforcement", "FR")
        return actor_of(make_user(s, org, ["bank-operator"]))


def capped(settings: Settings) -> Settings:
    return settings.model_copy(update={"correlation_max_campaigns": CAP})


def write_file(path: Path, n: int, seed: int, start: int = 0) -> Path:
    """Reports sharing suspect URLs and e-mails drawn with heavy reuse: many pairs and
    chains, a few values past the cap."""
    rnd = random.Random(seed)
    countries = ["FR", "DE", "ES", "IT", "NL"]
    lines = []
    for i in range(start, start + n):
        idents = []
        for _ in range(rnd.choice([0, 1, 1, 2])):
            k = int(rnd.paretovariate(1.2)) % 60
            if rnd.random() < 0.5:
                idents.append({"type": "url", "value": f"https://pay-{k}.fraudshop.xyz/checkout"})
            else:
                idents.append({"type": "email", "value": f"seller{k}@mailbox.xyz"})
        body = report_data(
            external_id=f"ext-{i}",
            victim_country=rnd.choice(countries),
            description=f"Report {i}: I paid and never received the goods.",
            suspect_identifiers=idents,
        )
        lines.append(json.dumps(body))
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def snapshot(s: Session) -> tuple[Snapshot, set[tuple[uuid.UUID, LinkState]]]:
    members: dict[uuid.UUID, set[uuid.UUID]] = {}
    for rid, cid in s.execute(select(CampaignMember.report_id, CampaignMember.campaign_id)):
        members.setdefault(cid, set()).add(rid)
    out: Snapshot = {}
    for c in s.scalars(select(Campaign)):
        out[frozenset(members.get(c.id, set()))] = (
            c.id,
            c.size,
            sorted(c.countries),
            _second(c.first_seen),
            _second(c.last_seen),
        )
    states = {(st.indicator_id, st.state) for st in s.scalars(select(IndicatorLinkState))}
    return out, states


def _second(at: datetime | None) -> datetime | None:
    return at.replace(microsecond=0) if at else None  # PostgreSQL keeps µs, SQLite too


def assert_equals_recompute(factory: sessionmaker[Session]) -> Snapshot:
    with transaction(factory) as s:
        before = snapshot(s)
    with transaction(factory) as s:
        engine.recompute(s, CAP)
    with transaction(factory) as s:
        after = snapshot(s)
    assert before[0] == after[0]
    assert before[1] == after[1]
    return before[0]


@pytest.mark.parametrize("workers", [0, 2])
def test_bulk_import_campaigns_equal_a_recompute(
    workers: int,
    tmp_path: Path,
    factory: sessionmaker[Session],
    settings: Settings,
    bank: Actor,
) -> None:
    first = write_file(tmp_path / "first.jsonl", 120, seed=1)
    import_file(factory, capped(settings), bank, first, batch_size=25, workers=workers)
    campaigns = assert_equals_recompute(factory)
    assert len(campaigns) >= 5 and max(len(m) for m in campaigns) >= 3
    # A second file links into the stored campaigns and lone reports, merges them, and
    # pushes some indicators past the cap, which takes apart what they had joined.
    with transaction(factory) as s:
        over_before = set(s.scalars(select(IndicatorLinkState.indicator_id)))
    second = write_file(tmp_path / "second.jsonl", 160, seed=2, start=1000)
    import_file(factory, capped(settings), bank, second, batch_size=30, workers=workers)
    assert_equals_recompute(factory)
    with transaction(factory) as s:
        over_after = set(s.scalars(select(IndicatorLinkState.indicator_id)))
        crossed_with_links = [
            i
            for i in over_after - over_before
            if (s.get(Indicator, i) or Indicator(report_count=0)).report_count > CAP
        ]
    assert crossed_with_links, "the data should push an indicator past the cap"


def test_bulk_linking_respects_exclusions(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank: Actor
) -> None:
    first = write_file(tmp_path / "first.jsonl", 80, seed=3)
    import_file(factory, capped(settings), bank, first, batch_size=20, workers=0)
    with transaction(factory) as s:
        # Exclude the most shared indicator still linking, then rebuild as an analyst would.
        linking = s.scalars(
            select(Indicator)
            .where(Indicator.report_count.between(2, CAP))
            .order_by(Indicator.report_count.desc(), Indicator.lookup_key)
        ).first()
        assert linking is not None
        s.add(IndicatorLinkState(indicator_id=linking.id, state=LinkState.EXCLUDED, reason="test"))
        s.flush()
        engine.recompute(s, CAP)
    second = write_file(tmp_path / "second.jsonl", 80, seed=4, start=500)
    import_file(factory, capped(settings), bank, second, batch_size=20, workers=0)
    assert_equals_recompute(factory)


class Crash(Exception):
    pass


def test_an_interrupted_import_is_settled_when_it_resumes(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank: Actor
) -> None:
    """Splits wait for the end of an import. A crash after the last batch, before that end,
    leaves campaigns joined through hubs; running the file again settles them."""
    first = write_file(tmp_path / "first.jsonl", 120, seed=1)
    import_file(factory, capped(settings), bank, first, batch_size=25, workers=0)
    second = write_file(tmp_path / "second.jsonl", 160, seed=2, start=1000)

    def crash_at_the_end(line: int) -> None:
        if line >= 160:
            raise Crash

    with pytest.raises(Crash):
        import_file(
            factory,
            capped(settings),
            bank,
            second,
            batch_size=30,
            workers=0,
            after_commit=crash_at_the_end,
        )
    with transaction(factory) as s:
        unsettled = snapshot(s)[0]
    summary = import_file(factory, capped(settings), bank, second, batch_size=30, workers=0)
    assert summary.accepted == 0 and summary.resumed_from_line == 160
    settled = assert_equals_recompute(factory)
    # The crash did leave work for the rerun: some campaign was taken apart by it.
    assert set(unsettled) != set(settled)


def test_reports_linked_one_at_a_time_equal_a_recompute(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank: Actor
) -> None:
    """The ``correlation.link`` job's delta path: reports submitted one by one after an
    import join, merge and grow its campaigns, and push indicators past the cap (taken apart
    by the job linking queues, not at an import's end); the result equals a full recompute."""
    first = write_file(tmp_path / "first.jsonl", 120, seed=1)
    import_file(factory, capped(settings), bank, first, batch_size=25, workers=0)
    with transaction(factory) as s:
        over_before = set(s.scalars(select(IndicatorLinkState.indicator_id)))
        stored = {c.id: c.size for c in s.scalars(select(Campaign))}
    second = write_file(tmp_path / "second.jsonl", 160, seed=2, start=1000)
    lines = second.read_text(encoding="utf-8").splitlines()
    for line in lines:
        submit_and_link(factory, capped(settings), bank, line)
    with transaction(factory) as s:
        assert set(s.scalars(select(IndicatorLinkState.indicator_id))) - over_before
        a, b = bridge(s)  # two linking URLs of two campaigns
    # A report naming both merges the two campaigns: the bigger keeps its id.
    body = json.loads(lines[0]) | {
        "external_id": "bridge",
        "suspect_identifiers": [{"type": "url", "value": a}, {"type": "url", "value": b}],
    }
    submit_and_link(factory, capped(settings), bank, json.dumps(body))
    after = assert_equals_recompute(factory)
    grown = {v[0]: len(m) for m, v in after.items() if v[0] in stored}
    assert any(n > stored[c] for c, n in grown.items())  # grew under their own ids
    assert set(stored) - set(grown)  # and one was merged away


def submit_and_link(
    factory: sessionmaker[Session], settings: Settings, actor: Actor, line: str
) -> None:
    """As the API and then the ``correlation.link`` job run it, two transactions, and a
    third for the split job when the report takes an indicator over the cap."""
    with transaction(factory) as s:
        s.info["settings"] = settings
        r = reports.submit(s, actor, ReportIn.model_validate_json(line), source=Source.API)
    with transaction(factory) as s:
        s.info["settings"] = settings
        linked = campaigns.link_reports(s, [r.report.id])
        assert linked.spanning == spanning(s, [r.report.id])
        crossed = linked.crossed
    if crossed:  # the ``correlation.split`` job that linking queued
        with transaction(factory) as s:
            jobs.run_now(s, "correlation.split", indicator_ids=[str(i) for i in crossed])


def spanning(s: Session, report_ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """The campaigns of two or more countries these reports are in, read back."""
    rows = s.execute(
        select(Campaign.id, Campaign.countries)
        .join(CampaignMember, CampaignMember.campaign_id == Campaign.id)
        .where(CampaignMember.report_id.in_(report_ids))
    )
    return {cid for cid, countries in rows if len(countries) >= 2}


def bridge(s: Session) -> tuple[str, str]:
    """Two URLs that still link (under the cap, no state), held in two stored campaigns."""
    stated = set(s.scalars(select(IndicatorLinkState.indicator_id)))
    seen: dict[uuid.UUID, str] = {}
    for value, cid, iid in s.execute(
        select(Indicator.value, CampaignMember.campaign_id, Indicator.id)
        .join(ReportIndicator, ReportIndicator.indicator_id == Indicator.id)
        .join(CampaignMember, CampaignMember.report_id == ReportIndicator.report_id)
        .where(Indicator.type == "url", Indicator.report_count < CAP)
        .order_by(Indicator.value)
    ):
        if iid not in stated and value and cid not in seen:
            seen[cid] = value
    assert len(seen) >= 2, "the data should leave two campaigns with a linking URL"
    first, second = list(seen.values())[:2]
    return first, second


@pytest.mark.parametrize("per_job", [1, 3])
def test_a_burst_linked_after_its_submissions_equals_a_recompute(
    tmp_path: Path,
    factory: sessionmaker[Session],
    settings: Settings,
    bank: Actor,
    monkeypatch: pytest.MonkeyPatch,
    per_job: int,
) -> None:
    """A burst of submissions whose link jobs run after all of them (the worker behind):
    an earlier report's link pulls later ones, still unlinked, into its campaign. Their own
    jobs then go through the delta path, their campaign standing for them, not through the
    closure (which reads every member of a campaign of thousands); the result equals a full
    recompute."""
    first = write_file(tmp_path / "first.jsonl", 40, seed=11)
    import_file(factory, capped(settings), bank, first, batch_size=25, workers=0)

    def closure(*_: object) -> None:
        raise AssertionError("a report pulled into a campaign went through the closure")

    monkeypatch.setattr(delta, "link_reports", closure)
    lines = []
    for g in range(20):  # rings of three sharing a URL; pairs of rings share an e-mail
        for j in range(3):
            idents = [{"type": "url", "value": f"https://ring-{g}.fraudshop.xyz/pay"}]
            if j == 0:
                idents.append({"type": "email", "value": f"pair{g // 2}@mailbox.xyz"})
            if j == 1 and g % 5 == 0:  # a few reach back to the imported campaigns
                idents.append({"type": "email", "value": "seller3@mailbox.xyz"})
            body = report_data(
                external_id=f"burst-{g}-{j}",
                victim_country=["FR", "DE", "ES"][(g + j) % 3],
                suspect_identifiers=idents,
            )
            lines.append(json.dumps(body))
    ids = []
    for line in lines:
        with transaction(factory) as s:
            s.info["settings"] = capped(settings)
            ids.append(
                reports.submit(
                    s, bank, ReportIn.model_validate_json(line), source=Source.API
                ).report.id
            )
    pulled = 0
    for i in range(0, len(ids), per_job):
        job = ids[i : i + per_job]
        with transaction(factory) as s:
            pulled += len(
                set(
                    s.scalars(
                        select(CampaignMember.report_id).where(CampaignMember.report_id.in_(job))
                    )
                )
            )
            s.info["settings"] = capped(settings)
            linked = campaigns.link_reports(s, job)
            assert linked.spanning == spanning(s, job)  # what the job queues notices for
            crossed = linked.crossed
        if crossed:
            with transaction(factory) as s:
                jobs.run_now(s, "correlation.split", indicator_ids=[str(c) for c in crossed])
    assert pulled >= 10  # the data makes earlier links pull later reports in
    assert_equals_recompute(factory)


def test_a_report_already_linked_is_linked_again_without_change(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, bank: Actor
) -> None:
    """Linking a report that is already in a campaign (a retried job) changes nothing."""
    first = write_file(tmp_path / "first.jsonl", 60, seed=5)
    import_file(factory, capped(settings), bank, first, batch_size=20, workers=0)
    with transaction(factory) as s:
        before = snapshot(s)
        member = s.scalars(select(CampaignMember.report_id)).first()
        assert member is not None
    with transaction(factory) as s:
        s.info["settings"] = capped(settings)
        campaigns.link_reports(s, [member])
    with transaction(factory) as s:
        assert snapshot(s) == before
