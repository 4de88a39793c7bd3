"""The visibility matrix: each TLP level against each kind of viewer.

A row a viewer may not see must be 404 by id and absent from lists, counts and searches.
Reports are the marked rows used here; every marked model goes through the same function.
"""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from contactpoint.core.access import get_visible, may_reshare, set_recipients, visible
from contactpoint.core.actor import PUBLIC, Actor
from contactpoint.core.errors import NotFound
from contactpoint.core.markings import TLP, HandlingCode
from contactpoint.reports import service as reports
from contactpoint.reports.models import Report
from contactpoint.reports.schemas import ReportFilter
from factories import actor_of, make_org, make_report, make_user

VIEWERS = ["creator", "owner_colleague", "recipient_org", "red_recipient", "outsider", "public"]

EXPECTED: dict[TLP, set[str]] = {
    TLP.CLEAR: set(VIEWERS),
    TLP.GREEN: set(VIEWERS) - {"public"},
    TLP.AMBER: {"creator", "owner_colleague", "recipient_org"},
    TLP.AMBER_STRICT: {"creator", "owner_colleague", "recipient_org"},
    TLP.RED: {"creator", "red_recipient"},
}


@dataclass
class World:
    actors: dict[str, Actor]
    report: Report


def _world(db: Session, tlp: TLP) -> World:
    owner = make_org(db, kind="bank", country="BE")
    recipient = make_org(db, kind="csirt", country="BE")
    other = make_org(db, kind="isp", country="BE")
    creator = make_user(db, owner, ["analyst"])
    colleague = make_user(db, owner, ["analyst"])
    in_recipient = make_user(db, recipient, ["analyst"])
    red_person = make_user(db, other, ["analyst"])
    outsider = make_user(db, other, ["analyst"])
    report = make_report(
        db,
        actor_of(creator),
        victim_country="BE",
        tlp=tlp.value,
        description=f"visibility probe {tlp.value} phishing sofa",
    )
    if tlp is TLP.RED:
        set_recipients(db, report, user_ids=[red_person.id])
    else:
        set_recipients(db, report, org_ids=[recipient.id])
    db.flush()
    actors = {
        "creator": actor_of(creator),
        "owner_colleague": actor_of(colleague),
        "recipient_org": actor_of(in_recipient),
        "red_recipient": actor_of(red_person),
        "outsider": actor_of(outsider),
        "public": PUBLIC,
    }
    return World(actors, report)


@pytest.mark.parametrize("tlp", list(TLP))
def test_visibility_matrix(db: Session, tlp: TLP) -> None:
    world = _world(db, tlp)
    rid = world.report.id
    for name, actor in world.actors.items():
        should_see = name in EXPECTED[tlp]
        # by id
        if should_see:
            assert get_visible(db, Report, rid, actor).id == rid, name
        else:
            with pytest.raises(NotFound):
                get_visible(db, Report, rid, actor)
        # in lists and counts (the raw clause and the reports service)
        ids = set(db.scalars(select(Report.id).where(visible(Report, actor))))
        count = db.scalar(select(func.count()).select_from(Report).where(visible(Report, actor)))
        assert (rid in ids) is should_see, name
        assert count == (1 if should_see else 0), name
        if actor.is_authenticated:
            page = reports.list_reports(db, actor, ReportFilter(), cursor=None)
            assert (rid in {r.id for r in page.items}) is should_see, name
            assert reports.count_reports(db, actor, ReportFilter()) == (1 if should_see else 0)
            hits = reports.list_reports(db, actor, ReportFilter(q="sofa"), cursor=None)
            assert (rid in {r.id for r in hits.items}) is should_see, name


def test_reshare_rules(db: Session) -> None:
    strict = _world(db, TLP.AMBER_STRICT)
    assert may_reshare(strict.report, strict.actors["creator"])
    assert not may_reshare(strict.report, strict.actors["recipient_org"])
    amber = _world(db, TLP.AMBER)
    assert may_reshare(amber.report, amber.actors["recipient_org"])
    amber.report.handling_code = HandlingCode.H2
    assert not may_reshare(amber.report, amber.actors["recipient_org"])
    assert may_reshare(amber.report, amber.actors["creator"])
