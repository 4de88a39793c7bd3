"""Notices and removal orders through the service, on both databases."""

from __future__ import annotations

import re
from datetime import timedelta

import pytest
from notice_helpers import FIELDS_BY_KIND, notice_data, world
from sqlalchemy import select

from contactpoint.core import audit
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from contactpoint.takedown import service
from contactpoint.takedown.models import NoticeStatus
from contactpoint.takedown.notice_clock import ClockState
from contactpoint.takedown.schemas import NoticeIn
from factories import actor_of


@pytest.fixture(autouse=True)
def node_key(db, settings):  # type: ignore[no-untyped-def]
    db.info["settings"] = settings  # the node key in the test's var dir, not ./var


def send(db, user, **kw):  # type: ignore[no-untyped-def]
    notice, _ = service.send(db, actor_of(user), NoticeIn.model_validate(notice_data(**kw)))
    return notice


@pytest.mark.parametrize("kind", sorted(FIELDS_BY_KIND))
def test_each_kind_names_every_missing_field_and_its_article(db, kind) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    rule = service.rules_for(db).get(kind)
    for missing in rule.fields:
        if missing.optional:
            continue
        fields = {k: v for k, v in FIELDS_BY_KIND[kind].items() if k != missing.name}
        with pytest.raises(InvalidInput) as err:
            send(db, w.police, kind=kind, fields=fields)
        assert {
            "field": f"fields.{missing.name}",
            "message": f"{missing.label}: required by {missing.article}",
        } in err.value.errors
    # complete: sent, addressed through the directory by the URL's domain
    notice = send(db, w.police, kind=kind)
    assert notice.status is NoticeStatus.SENT and notice.provider_id == w.provider.id
    assert notice.provider_match == "domain hostco.net"
    assert re.fullmatch(r"TD-FR-\d{4}-\d{6}", notice.reference)


def test_dsa_notice_needs_the_notifier_except_for_csam(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    with pytest.raises(InvalidInput) as err:
        send(db, w.police, kind="dsa-art16", notifier_name=None, notifier_email="")
    fields = {e["field"]: e["message"] for e in err.value.errors}
    assert "DSA Art. 16(2)(c)" in fields["notifier_name"]
    assert "DSA Art. 16(2)(c)" in fields["notifier_email"]
    notice = send(
        db, w.hotline, kind="dsa-art16", category="csam", notifier_name=None, notifier_email=None
    )
    assert notice.notifier_name is None and notice.status is NoticeStatus.SENT


def test_only_authorities_issue_tco_orders(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    with pytest.raises(Forbidden, match=r"law-enforcement, public-body.*TCO"):
        send(db, w.hotline, kind="tco-removal-order")
    assert send(db, w.hotline, kind="hotline-ntd").kind.value == "hotline-ntd"


@pytest.mark.parametrize(
    ("url", "message"),
    [
        ("not a url at all", "urls[0]"),
        ("https://10.1.2.3/x", "private"),
        ("http://[::1]/x", "private"),
        ("ftp//", "urls[0]"),
    ],
)
def test_bad_and_private_urls_are_clear_errors(db, url, message) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    with pytest.raises(InvalidInput) as err:
        send(db, w.police, urls=[url])
    assert message in err.value.detail
    assert err.value.errors[0]["field"] == "urls[0]"


def test_urls_of_two_providers_or_unknown_hosts_are_refused(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    with pytest.raises(InvalidInput, match="send one notice per provider"):
        send(db, w.police, urls=["https://a.hostco.net/1", "https://www.otherhost.org/2"])
    # no directory entry, no resolver answer: the sender must choose
    with pytest.raises(InvalidInput, match="choose the provider") as err:
        service.send(
            db,
            actor_of(w.police),
            NoticeIn.model_validate(notice_data(urls=["https://unknown-host.com/x"])),
            resolver=lambda host: [],
        )
    assert err.value.errors[0]["field"] == "urls[0]"
    chosen = send(db, w.police, urls=["https://unknown-host.com/x"], provider_id=str(w.provider.id))
    assert chosen.provider_match == "chosen by the sender"


def test_tco_hour_runs_from_receipt_and_a_pause_moves_it(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    police, op = actor_of(w.police), actor_of(w.operator)
    notice = send(db, w.police)
    assert notice.due_at is None
    assert service.clock(db, notice).state is ClockState.AWAITING_RECEIPT
    with pytest.raises(Conflict, match="receipt"):
        service.pause(db, police, notice.id, "clarification asked")
    service.acknowledge(db, op, notice.id)
    assert notice.received_at is not None and notice.status is NoticeStatus.RECEIVED
    assert notice.due_at == notice.received_at + timedelta(hours=1)
    view = service.clock(db, notice)
    assert view.state is ClockState.RUNNING and view.text.startswith("due in ")
    with pytest.raises(Conflict):
        service.acknowledge(db, op, notice.id)

    service.pause(db, police, notice.id, "The provider asked which of two videos is meant")
    assert service.clock(db, notice).state is ClockState.PAUSED
    notice.paused_at -= timedelta(minutes=20)  # the pause began 20 minutes ago
    before = notice.due_at
    service.resume(db, police, notice.id, "Clarified: the second video")
    assert notice.paused_at is None and notice.paused_seconds >= 20 * 60
    assert notice.due_at == before + timedelta(seconds=notice.paused_seconds)
    assert notice.due_at == notice.received_at + timedelta(hours=1, seconds=notice.paused_seconds)
    with pytest.raises(Conflict, match="not paused"):
        service.resume(db, police, notice.id, "again")

    # an hour and a half later the order is overdue
    notice.due_at = notice.due_at - timedelta(hours=2)
    view = service.clock(db, notice)
    assert view.state is ClockState.OVERDUE and view.text.startswith("overdue by ")
    kinds = [e.kind for e in notice.events]
    assert kinds == ["sent", "received", "paused", "resumed"]


def test_only_pausable_kinds_pause(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    notice = send(db, w.police, kind="voluntary-referral")
    with pytest.raises(InvalidInput, match="does not pause") as err:
        service.pause(db, actor_of(w.police), notice.id, "force majeure")
    assert err.value.errors[0]["field"] == "kind"


def test_acting_twice_or_on_a_withdrawn_notice_conflicts(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    op, police = actor_of(w.operator), actor_of(w.police)
    notice = send(db, w.police, kind="dsa-art16")
    with pytest.raises(InvalidInput, match="reason"):
        service.act(db, op, notice.id, "refused")
    service.act(db, op, notice.id, "removed")
    assert notice.status is NoticeStatus.REMOVED and notice.received_at is not None
    with pytest.raises(Conflict, match="already answered"):
        service.act(db, op, notice.id, "disabled")
    with pytest.raises(Conflict):
        service.withdraw(db, police, notice.id, "no longer needed")

    other = send(db, w.police, kind="dsa-art16", urls=["https://b.hostco.net/2"])
    service.withdraw(db, police, other.id, "Sent by mistake")
    with pytest.raises(Conflict, match="withdrawn"):
        service.act(db, op, other.id, "removed")
    assert service.clock(db, other).state is ClockState.NONE


def test_acted_at_is_checked(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    notice = send(db, w.police)
    op = actor_of(w.operator)
    with pytest.raises(InvalidInput, match="future"):
        service.act(db, op, notice.id, "removed", acted_at=notice.sent_at + timedelta(days=1))
    with pytest.raises(InvalidInput, match="before the notice was sent"):
        service.act(db, op, notice.id, "removed", acted_at=notice.sent_at - timedelta(hours=1))
    service.act(db, op, notice.id, "disabled", "Geo-blocked in the EU", notice.sent_at)
    assert notice.acted_at == notice.sent_at and notice.action_note == "Geo-blocked in the EU"
    assert service.clock(db, notice).state is ClockState.MET


def test_only_the_addressed_provider_sees_and_answers(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    notice = send(db, w.police)
    other = actor_of(w.other_operator)
    with pytest.raises(NotFound):
        service.get(db, other, notice.id)
    with pytest.raises(NotFound):
        service.acknowledge(db, other, notice.id)
    assert service.page(db, other)[0] == []
    mine, _ = service.page(db, actor_of(w.operator), box="received")
    assert [n.id for n in mine] == [notice.id]
    # the sender can see but not answer for the provider; the provider cannot withdraw
    with pytest.raises(Forbidden):
        service.acknowledge(db, actor_of(w.police), notice.id)
    with pytest.raises(Forbidden):
        service.withdraw(db, actor_of(w.operator), notice.id, "not ours")


def test_signed_timestamps_verify_and_fail_when_altered(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    notice = send(db, w.police)
    service.acknowledge(db, actor_of(w.operator), notice.id)
    db.commit()
    db.expire_all()
    stamps = service.timestamps_of(db, notice)
    assert [t.event.kind for t in stamps] == ["sent", "received"]
    assert all(t.valid for t in stamps)
    received = stamps[1].event
    received.at = received.at - timedelta(minutes=30)  # pretend it arrived earlier
    assert [t.valid for t in service.timestamps_of(db, notice)] == [True, False]
    received.at = received.at + timedelta(minutes=30)
    notice.fields = {**notice.fields, "reasons": "something else"}  # alter the content
    assert [t.valid for t in service.timestamps_of(db, notice)] == [False, False]


def test_external_id_makes_sending_idempotent(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    actor = actor_of(w.police)
    data = NoticeIn.model_validate(notice_data(external_id="case-77/1"))
    first, created = service.send(db, actor, data)
    again, created_again = service.send(db, actor, data)
    assert created and not created_again and again.id == first.id


def test_references_count_per_country_and_every_step_is_audited(db) -> None:  # type: ignore[no-untyped-def]
    w = world(db)
    a = send(db, w.police)
    b = send(db, w.police, urls=["https://c.hostco.net/3"])
    c = send(db, w.hotline, kind="hotline-ntd")
    na, nb = int(a.reference[-6:]), int(b.reference[-6:])
    assert nb == na + 1 and c.reference.startswith("TD-NL-") and c.reference.endswith("000001")
    service.acknowledge(db, actor_of(w.operator), a.id)
    service.act(db, actor_of(w.operator), a.id, "removed")
    actions = [
        e.action
        for e in db.scalars(select(audit.AuditEntry).where(audit.AuditEntry.object_id == str(a.id)))
    ]
    assert actions == ["takedown.sent", "takedown.received", "takedown.acted"]
