"""Compliance figures: the statistics as pure functions, then through the API on both DBs."""

from __future__ import annotations

import itertools
import re
import uuid
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts.models import Organisation
from contactpoint.core.actor import SYSTEM
from contactpoint.core.db import transaction, utcnow
from contactpoint.core.errors import Forbidden, InvalidInput
from contactpoint.takedown import compliance, directory
from contactpoint.takedown.compliance import NoticeFacts
from contactpoint.takedown.directory_models import Provider
from contactpoint.takedown.models import Notice, NoticeKind, NoticeStatus
from factories import actor_of, bearer, login, make_org, make_token, make_user

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
P = uuid.uuid4()
H = timedelta(hours=1)
_refs = itertools.count(1)


def facts(
    status: str, sent_ago: timedelta, took: timedelta | None = None, **kw: object
) -> NoticeFacts:
    sent = NOW - sent_ago
    received = kw.pop("received", None)
    acted = None
    if took is not None:
        start = received if isinstance(received, datetime) else sent
        acted = start + took
    return NoticeFacts(P, status, sent, received, acted, kw.pop("due", None))  # type: ignore[arg-type]


# --- pure -------------------------------------------------------------------------------------


def test_empty_has_no_figures() -> None:
    f = compliance.provider_figures(P, "X", "FR", [], NOW)
    assert (f.notices, f.median_hours, f.within_1h, f.overdue) == (0, None, None, 0)


def test_one_notice_removed_in_half_an_hour() -> None:
    f = compliance.provider_figures(P, "X", "FR", [facts("removed", 10 * H, H / 2)], NOW)
    assert (f.notices, f.removed, f.median_hours) == (1, 1, 0.5)
    assert (f.within_1h, f.within_3d, f.within_7d) == (1.0, 1.0, 1.0)


def test_median_of_an_even_count_and_ties() -> None:
    rows = [
        facts("removed", 30 * 24 * H, 2 * H),
        facts("removed", 30 * 24 * H, 2 * H),
        facts("disabled", 30 * 24 * H, 4 * H),
        facts("removed", 30 * 24 * H, 10 * 24 * H),
    ]
    assert compliance.median_hours(rows) == 3.0  # (2 + 4) / 2
    assert compliance.median_hours(rows[:3]) == 2.0  # ties: the middle one is 2 h
    # within 1 h: none; within 3 days: 3 of 4; within 7 days: 3 of 4.
    f = compliance.provider_figures(P, "X", "FR", rows, NOW)
    assert (f.within_1h, f.within_3d, f.within_7d) == (0.0, 0.75, 0.75)


def test_clock_runs_from_receipt_else_sending_and_never_negative() -> None:
    sent = NOW - 48 * H
    received = sent + 20 * H
    acted = received + 2 * H
    with_receipt = NoticeFacts(P, "removed", sent, received, acted, None)
    assert compliance.removal_time(with_receipt) == 2 * H
    without = NoticeFacts(P, "removed", sent, None, acted, None)
    assert compliance.removal_time(without) == 22 * H
    # Acted before acknowledging (or acknowledged only by acting): measured from sending.
    early = NoticeFacts(P, "removed", sent, received, received - H, None)
    assert compliance.removal_time(early) == 19 * H
    skewed = NoticeFacts(P, "removed", sent, None, sent - H, None)  # clock skew: never < 0
    assert compliance.removal_time(skewed) == timedelta(0)
    assert compliance.removal_time(NoticeFacts(P, "refused", sent, None, acted, None)) is None


def test_shares_count_only_decided_notices() -> None:
    rows = [
        facts("removed", 10 * 24 * H, H / 4),  # within all limits
        facts("refused", 10 * 24 * H),  # decided, never within
        facts("sent", H / 6),  # ten minutes old: too young for any limit
        facts("received", 2 * H),  # open, 2 h old: counts against 1 h only
        facts("withdrawn", 10 * 24 * H),  # not counted at all
    ]
    f = compliance.provider_figures(P, "X", "FR", rows, NOW)
    assert (f.notices, f.refused, f.open, f.withdrawn) == (4, 1, 2, 1)
    assert f.within_1h == pytest.approx(1 / 3)
    assert (f.within_3d, f.within_7d) == (0.5, 0.5)


def test_overdue_is_open_past_due_now() -> None:
    rows = [
        facts("sent", 3 * H, due=NOW - H),
        facts("received", 3 * H, due=NOW + H),
        facts("removed", 3 * H, H, due=NOW - H),
        facts("sent", 3 * H),  # no clock
    ]
    assert compliance.provider_figures(P, "X", "FR", rows, NOW).overdue == 1


def test_sorting_puts_missing_values_last() -> None:
    def row(name: str, median: float | None) -> compliance.ProviderFigures:
        return compliance.ProviderFigures(
            uuid.uuid4(), name, "FR", 1, 1, median, None, None, None, 0, 0, 0, 0
        )

    rows = [row("b", 5.0), row("a", None), row("c", 1.0), row("d", 5.0)]
    asc = compliance.sort_figures(rows, "median_hours", False)
    assert [r.provider for r in asc] == ["c", "b", "d", "a"]
    desc = compliance.sort_figures(rows, "median_hours", True)
    assert [r.provider for r in desc] == ["d", "b", "c", "a"]
    with pytest.raises(InvalidInput):
        compliance.sort_figures(rows, "nope", False)


# --- through the database and the API ----------------------------------------------------------


def make_notice(
    db: Session,
    provider: Provider,
    status: NoticeStatus,
    *,
    sent: datetime,
    received: datetime | None = None,
    acted: datetime | None = None,
    due: datetime | None = None,
    owner_org_id: uuid.UUID | None = None,
) -> Notice:
    n = Notice(
        reference=f"FR-2026-T{next(_refs):05d}",
        kind=NoticeKind.TCO_REMOVAL_ORDER,
        status=status,
        provider_id=provider.id,
        issuing_country="FR",
        category="terrorism",
        sent_at=sent,
        received_at=received,
        acted_at=acted,
        due_at=due,
        owner_org_id=owner_org_id,
    )
    db.add(n)
    db.flush()
    return n


def seed(db: Session) -> tuple[Provider, Provider]:
    provider_org = make_org(db, "Fast Host Org", kind="hosting")
    fast = directory.create_provider(
        db, SYSTEM, {"name": "Fast Host", "country": "FR", "org": provider_org.name}
    )
    slow = directory.create_provider(db, SYSTEM, {"name": "Slow Host", "country": "DE"})
    t0 = NOW - timedelta(days=20)
    make_notice(db, fast, NoticeStatus.REMOVED, sent=t0, received=t0, acted=t0 + H / 2)
    make_notice(db, fast, NoticeStatus.REMOVED, sent=t0, received=t0 + H, acted=t0 + 2 * H)
    make_notice(db, slow, NoticeStatus.DISABLED, sent=t0, acted=t0 + 5 * 24 * H)
    make_notice(db, slow, NoticeStatus.REFUSED, sent=t0, received=t0, acted=t0 + H)
    make_notice(db, slow, NoticeStatus.SENT, sent=t0, due=t0 + H)  # overdue
    old = NOW - timedelta(days=400)
    make_notice(db, slow, NoticeStatus.REMOVED, sent=old, acted=old + 100 * 24 * H)
    return fast, slow


def test_figures_from_the_database(db: Session) -> None:
    fast, slow = seed(db)
    analyst = actor_of(make_user(db, roles=["analyst"]))
    rows = compliance.figures(db, analyst, now=NOW, since=NOW - timedelta(days=30))
    by = {r.provider: r for r in rows}
    assert (by["Fast Host"].notices, by["Fast Host"].median_hours) == (2, 0.75)
    assert by["Fast Host"].within_1h == 1.0
    s = by["Slow Host"]
    assert (s.notices, s.removed, s.refused, s.overdue, s.median_hours) == (3, 1, 1, 1, 120.0)
    assert (s.within_1h, s.within_3d, s.within_7d) == (0.0, 0.0, pytest.approx(1 / 3))
    # Without a period the old notice counts too.
    everything = compliance.figures(db, analyst, now=NOW)
    assert {r.provider: r.notices for r in everything} == {"Fast Host": 2, "Slow Host": 4}
    # Sorted by the 1-hour share, best first.
    best = compliance.figures(db, analyst, now=NOW, sort="within_1h", descending=True)
    assert [r.provider for r in best] == ["Fast Host", "Slow Host"]
    investigator = actor_of(make_user(db, roles=["investigator"]))
    with pytest.raises(Forbidden):
        compliance.figures(db, investigator, now=NOW)
    assert fast.id != slow.id


def test_compliance_api_on_both_databases(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as db:
        fast, _ = seed(db)
        analyst = make_user(db, roles=["analyst"])
        op = make_user(db, db.get(Organisation, fast.org_id), ["provider-operator"])
        other = make_user(db, roles=["investigator"])
        _, t_analyst = make_token(db, analyst, ["takedown:compliance"])
        _, t_op = make_token(db, op, ["takedown:compliance"])
        _, t_other = make_token(db, other, ["cases:manage"])
    since = (NOW - timedelta(days=30)).date().isoformat()
    r = client.get(f"/api/v1/takedown/compliance?since={since}", headers=bearer(t_analyst))
    assert r.status_code == 200, r.text
    names = [p["provider"] for p in r.json()["providers"]]
    assert names == ["Fast Host", "Slow Host"]
    slow = r.json()["providers"][1]
    assert (slow["notices"], slow["overdue"], slow["refused"]) == (3, 1, 1)
    # A provider operator sees only their own provider.
    r = client.get("/api/v1/takedown/compliance", headers=bearer(t_op))
    assert [p["provider"] for p in r.json()["providers"]] == ["Fast Host"]
    assert client.get("/api/v1/takedown/compliance", headers=bearer(t_other)).status_code == 403
    bad = client.get("/api/v1/takedown/compliance?since=yesterday", headers=bearer(t_analyst))
    assert bad.status_code == 422 and bad.json()["errors"][0]["field"] == "since"
    bad = client.get("/api/v1/takedown/compliance?sort=colour", headers=bearer(t_analyst))
    assert bad.status_code == 422


def test_compliance_page_sorts_and_shows_operators_their_own(
    client: TestClient, factory: sessionmaker[Session]
) -> None:
    with transaction(factory) as db:
        fast, _ = seed(db)
        analyst = make_user(db, roles=["analyst"]).email
        op = make_user(db, db.get(Organisation, fast.org_id), ["provider-operator"]).email
        investigator = make_user(db, roles=["investigator"]).email
    login(client, analyst)
    page = client.get("/takedown/compliance", params={"sort": "overdue", "desc": "true"})
    assert page.status_code == 200
    table = page.text[page.text.index('id="compliance"') :]
    assert table.index("Slow Host") < table.index("Fast Host")  # most overdue first
    assert "Overdue ▼" in page.text
    since = (NOW - timedelta(days=30)).date().isoformat()
    page = client.get("/takedown/compliance", params={"since": since})
    assert re.search(
        r"Fast Host.*?</td>\s*<td>2</td>\s*<td>0\.8</td>\s*<td>100 %</td>", page.text, re.S
    )
    bad = client.get("/takedown/compliance", params={"since": "soon"})
    assert "since: expected a date" in bad.text
    client.cookies.clear()
    login(client, op)
    page = client.get("/takedown/compliance")
    assert "Fast Host" in page.text and "Slow Host" not in page.text
    assert "your own provider" in page.text
    client.cookies.clear()
    login(client, investigator)
    assert client.get("/takedown/compliance").status_code == 403


def test_figures_follow_the_notice_lifecycle(db: Session) -> None:
    """Notices sent, acknowledged and acted on through the notices service."""
    from notice_helpers import notice_data, world

    from contactpoint.takedown import service
    from contactpoint.takedown.schemas import NoticeIn

    w = world(db)
    police, op = actor_of(w.police), actor_of(w.operator)

    def send(kind: str = "tco-removal-order") -> Notice:
        notice, _ = service.send(db, police, NoticeIn.model_validate(notice_data(kind)))
        return notice

    quick = send()
    service.acknowledge(db, op, quick.id)
    service.act(db, op, quick.id, "removed")
    refused = send("dsa-art16")
    service.act(db, op, refused.id, "refused", reason="Not illegal in Germany.")
    running = send()
    service.acknowledge(db, op, running.id)  # received: its hour runs from now
    rows = compliance.figures(db, actor_of(w.police), now=utcnow() + timedelta(hours=2))
    [row] = [r for r in rows if r.provider_id == w.provider.id]
    assert (row.notices, row.removed, row.refused, row.open) == (3, 1, 1, 1)
    assert row.median_hours is not None and row.median_hours < 0.1
    # Two hours later the open TCO order is overdue and counts against the 1-hour share.
    assert row.overdue == 1 and row.within_1h == pytest.approx(1 / 3)
    # The provider's operator sees their own row only.
    own = compliance.figures(db, op, now=utcnow())
    assert [r.provider_id for r in own] == [w.provider.id]
