"""Campaigns on both databases: linking across countries, warninglists, the cap, exclusion,
visibility of totals, hit/no-hit, and recompute equal to incremental linking."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import jobs
from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.core.errors import NotFound
from contactpoint.correlation import actions, engine
from contactpoint.correlation import service as campaigns
from contactpoint.correlation.models import CampaignMember
from contactpoint.indicators.models import Indicator
from contactpoint.reports.models import Report
from factories import actor_of, make_org, make_report, make_user, queued_job_args

IBAN = "FR7630006000011234567890189"
OTHER_IBAN = "DE89370400440532013000"


@pytest.fixture
def people(factory: sessionmaker[Session]) -> dict[str, Actor]:
    with transaction(factory) as s:
        fr = make_org(s, "Police FR", "law-enforcement", "FR")
        de = make_org(s, "Polizei DE", "law-enforcement", "DE")
        return {
            "fr": actor_of(make_user(s, fr, ["analyst"])),
            "de": actor_of(make_user(s, de, ["analyst"])),
        }


def report(db: Session, actor: Actor, country: str, *ids: str, **kw: object) -> Report:
    r = make_report(
        db,
        actor,
        victim_country=country,
        suspect_identifiers=[{"type": "iban", "value": v} for v in ids],
        **kw,
    )
    campaigns.link_reports(db, [r.id])
    return r


def queued_splits(s: Session) -> list[list[str]]:
    return [a["indicator_ids"] for a in queued_job_args(s, "correlation.split")]


def partition(db: Session) -> set[frozenset[uuid.UUID]]:
    groups: dict[uuid.UUID, set[uuid.UUID]] = {}
    for rid, cid in db.execute(select(CampaignMember.report_id, CampaignMember.campaign_id)):
        groups.setdefault(cid, set()).add(rid)
    return {frozenset(g) for g in groups.values()}


def iban_indicator(db: Session) -> Indicator:
    return db.scalars(select(Indicator).where(Indicator.type == "iban")).first()  # type: ignore[return-value]


def test_shared_iban_links_fr_and_de_into_one_campaign(
    db: Session, people: dict[str, Actor]
) -> None:
    a = report(db, people["fr"], "FR", IBAN, tlp="GREEN", loss_amount="100.00")
    b = report(db, people["de"], "DE", IBAN, tlp="GREEN", loss_amount="250.50")
    report(db, people["de"], "DE", OTHER_IBAN, tlp="GREEN")  # shares nothing
    db.commit()
    items, _ = campaigns.list_campaigns(db, people["fr"])
    assert len(items) == 1
    c = items[0]
    assert c["countries"] == ["DE", "FR"] and c["reports"] == 2
    assert c["losses"] == {"EUR": "350.50"}
    detail = campaigns.get_campaign(db, people["de"], uuid.UUID(c["id"]))
    assert {m["reference"] for m in detail["members"]} == {a.reference, b.reference}
    assert [i["type"] for i in detail["indicators"]] == ["iban"]
    assert detail["indicators"][0]["value"] != IBAN  # a personal-data value is never shown
    assert campaigns.list_campaigns(db, people["fr"], country="IT")[0] == []
    assert len(campaigns.list_campaigns(db, people["fr"], category="traditional-crime")[0]) == 1
    assert campaigns.list_campaigns(db, people["fr"], category="illegal-content")[0] == []
    page, cursor = campaigns.list_campaigns(db, people["fr"], min_size=1, limit=1)
    assert len(page) == 1 and cursor is None


def test_warninglisted_indicator_does_not_link(db: Session, people: dict[str, Actor]) -> None:
    text = "Fake support said to search google.com first, then pay."
    report(db, people["fr"], "FR", description=text)
    report(db, people["fr"], "FR", description=text)
    db.commit()
    assert partition(db) == set()


def test_over_correlation_stops_at_the_cap_and_lifting_restores(
    db: Session, people: dict[str, Actor], settings: Settings
) -> None:
    db.info["settings"] = settings.model_copy(update={"correlation_max_campaigns": 2})
    rs = [report(db, people["fr"], "FR", IBAN) for _ in range(2)]
    assert len(partition(db)) == 1
    third = make_report(
        db, people["fr"], victim_country="FR", suspect_identifiers=[{"type": "iban", "value": IBAN}]
    )
    rs.append(third)
    crossed = campaigns.link_reports(db, [third.id]).crossed  # a third holder crosses the cap of 2
    # It stops linking at once (the third report stays out); what it joined before is
    # taken apart by the job that linking queued.
    assert [i.id for i in db.scalars(select(Indicator).where(Indicator.type == "iban"))] == crossed
    assert partition(db) == {frozenset(r.id for r in rs[:2])}
    assert queued_splits(db) == [[str(i) for i in crossed]]
    assert jobs.run_now(db, "correlation.split", indicator_ids=queued_splits(db)[0]) == {
        "indicators": 1
    }
    assert partition(db) == set()
    jobs.run_now(db, "correlation.split", indicator_ids=queued_splits(db)[0])  # a retry
    assert partition(db) == set()
    detail_state = db.scalar(select(Indicator).where(Indicator.type == "iban"))
    assert detail_state is not None
    actions.lift_over_correlation(db, people["fr"], detail_state.id, "one mule account, checked")
    assert partition(db) == {frozenset(r.id for r in rs)}
    cid = db.scalar(select(CampaignMember.campaign_id))
    detail = campaigns.get_campaign(db, people["fr"], cid)  # type: ignore[arg-type]
    assert detail["indicators"][0]["state"] == "lifted"


def test_exclusion_splits_a_campaign(db: Session, people: dict[str, Actor]) -> None:
    a = report(db, people["fr"], "FR", IBAN, OTHER_IBAN)
    b = report(db, people["fr"], "FR", IBAN)
    c = report(db, people["fr"], "FR", OTHER_IBAN)
    assert partition(db) == {frozenset({a.id, b.id, c.id})}
    old = db.scalar(select(CampaignMember.campaign_id))
    shared = db.scalar(
        select(Indicator)
        .where(Indicator.type == "iban", Indicator.token.is_not(None))
        .order_by(Indicator.first_seen)
        .limit(1)
    )
    assert shared is not None
    actions.split(db, people["fr"], old, [shared.id], "this IBAN is the bank's own")  # type: ignore[arg-type]
    groups = partition(db)
    assert len(groups) == 1 and len(next(iter(groups))) == 2
    kept = db.scalar(select(CampaignMember.campaign_id))
    assert kept == old  # the bigger piece keeps the campaign


def test_merge_joins_two_campaigns(db: Session, people: dict[str, Actor]) -> None:
    a = [report(db, people["fr"], "FR", IBAN) for _ in range(2)]
    b = [report(db, people["fr"], "FR", OTHER_IBAN) for _ in range(2)]
    ids = {
        db.scalar(select(CampaignMember.campaign_id).where(CampaignMember.report_id == r.id))
        for r in (a[0], b[0])
    }
    assert len(ids) == 2
    x, y = sorted(ids, key=str)
    first, cursor = campaigns.list_campaigns(db, people["fr"], limit=1)
    assert cursor is not None
    second, end = campaigns.list_campaigns(db, people["fr"], limit=1, cursor=cursor)
    assert {first[0]["id"], second[0]["id"]} == {str(x), str(y)} and end is None
    joined = actions.merge(db, people["fr"], x, y, "same voice on the phone calls")  # type: ignore[arg-type]
    assert partition(db) == {frozenset(r.id for r in a + b)}
    assert joined in ids


def test_invisible_members_do_not_count(db: Session, people: dict[str, Actor]) -> None:
    report(db, people["fr"], "FR", IBAN, loss_amount="100.00")  # AMBER: FR only
    report(db, people["de"], "DE", IBAN, loss_amount="900.00")  # AMBER: DE only
    report(db, people["de"], "DE", IBAN, loss_amount="50.00")
    db.commit()
    items, _ = campaigns.list_campaigns(db, people["fr"], min_size=1)
    assert len(items) == 1
    assert items[0]["reports"] == 1 and items[0]["countries"] == ["FR"]
    assert items[0]["losses"] == {"EUR": "100.00"}
    assert campaigns.list_campaigns(db, people["fr"])[0] == []  # min size 2 over visible
    de_items, _ = campaigns.list_campaigns(db, people["de"])
    assert de_items[0]["reports"] == 2 and de_items[0]["losses"] == {"EUR": "950.00"}


def test_campaign_without_visible_member_is_not_found(
    db: Session, people: dict[str, Actor]
) -> None:
    report(db, people["de"], "DE", IBAN)
    report(db, people["de"], "DE", IBAN)
    cid = db.scalar(select(CampaignMember.campaign_id))
    with pytest.raises(NotFound):
        campaigns.get_campaign(db, people["fr"], cid)  # type: ignore[arg-type]


def test_hits_give_counts_by_holder_only(db: Session, people: dict[str, Actor]) -> None:
    mine = report(db, people["fr"], "FR", IBAN)
    report(db, people["de"], "DE", IBAN)
    report(db, people["de"], "DE", IBAN)
    report(db, people["de"], "DE", OTHER_IBAN)  # shares nothing: no hit
    db.commit()
    found = actions.hits(db, people["fr"], mine.id)
    assert [(h["holder"], h["country"], h["reports"]) for h in found] == [("Polizei DE", "DE", 2)]
    assert found[0]["indicator_types"] == ["iban"]
    assert found[0]["holder_org_id"] == str(people["de"].org_id)
    theirs = db.scalar(select(Report).where(Report.victim_country == "DE"))
    with pytest.raises(NotFound):  # hits only for a report the caller may see
        actions.hits(db, people["fr"], theirs.id)  # type: ignore[union-attr]


def test_recompute_equals_incremental(db: Session, people: dict[str, Actor]) -> None:
    for ids in [(IBAN,), (OTHER_IBAN,), (IBAN, OTHER_IBAN), ("NL91ABNA0417164300",), (IBAN,)]:
        report(db, people["fr"], "FR", *ids)
    report(db, people["fr"], "FR", "NL91ABNA0417164300")
    incremental = partition(db)
    ids_before = set(db.scalars(select(CampaignMember.campaign_id)))
    n = campaigns.recompute(db, SYSTEM)
    assert partition(db) == incremental and n == len(incremental) == 2
    assert set(db.scalars(select(CampaignMember.campaign_id))) == ids_before  # ids kept
    engine.recompute(db, 20)
    assert partition(db) == incremental


def test_hits_count_reports_without_a_holder(db: Session, people: dict[str, Actor]) -> None:
    mine = report(db, people["fr"], "FR", IBAN)
    # A citizen's report from a country with no contact point here has no holder.
    orphan = make_report(
        db,
        SYSTEM,
        source="citizen",
        victim_country="IT",
        suspect_identifiers=[{"type": "iban", "value": IBAN}],
    )
    assert orphan.owner_org_id is None
    found = actions.hits(db, people["fr"], mine.id)
    assert [(h["holder"], h["country"], h["reports"]) for h in found] == [
        ("no holder organisation", None, 1)
    ]
    assert found[0]["access_request"] is None  # nobody to ask
