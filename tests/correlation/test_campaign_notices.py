"""Campaign notices on both databases: contact points of the countries a campaign spans are
told once when it first spans two countries, again only when it grows in a country, through
the job queued after linking, the periodic job and `contactpoint campaigns notify`."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.core import jobs
from contactpoint.core.actor import Actor
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.core.notify import Notification
from contactpoint.correlation import notices
from contactpoint.correlation.models import CampaignNotice
from contactpoint.reports.models import Report
from factories import (
    actor_of,
    linked_iban_report,
    make_org,
    make_report,
    make_user,
    queued_job_args,
    use_cli_settings,
)

IBAN = "FR7630006000011234567890189"


@pytest.fixture
def people(factory: sessionmaker[Session]) -> dict[str, uuid.UUID | Actor]:
    """Officers and an analyst per country; the EU contact point; a French bank."""
    with transaction(factory) as s:
        fr = make_org(s, "Police FR", "law-enforcement", "FR")
        de = make_org(s, "Polizei DE", "law-enforcement", "DE")
        nl = make_org(s, "Politie NL", "law-enforcement", "NL")
        eu = make_org(s, "EU CP", "eu-contact-point", "EU")
        bank = make_org(s, "Banque FR", "bank", "FR")
        officer = ["contact-point-officer"]
        return {
            "officer.fr": make_user(s, fr, officer).id,
            "officer.de": make_user(s, de, officer).id,
            "officer.nl": make_user(s, nl, officer).id,
            "officer.eu": make_user(s, eu, officer).id,
            "analyst.fr": make_user(s, fr, ["analyst"]).id,
            "bank": make_user(s, bank, ["bank-operator"]).id,
            "fr": actor_of(make_user(s, fr, ["analyst"])),
            "de": actor_of(make_user(s, de, ["analyst"])),
        }


def add(db: Session, actor: object, country: str) -> Report:
    assert isinstance(actor, Actor)
    return linked_iban_report(db, actor, country, IBAN)


def inbox(db: Session, people: dict[str, uuid.UUID | Actor]) -> dict[str, list[Notification]]:
    out: dict[str, list[Notification]] = {}
    for name, uid in people.items():
        if isinstance(uid, uuid.UUID):
            out[name] = list(
                db.scalars(
                    select(Notification)
                    .where(Notification.user_id == uid)
                    .order_by(Notification.created_at)
                )
            )
    return out


def test_first_spanning_then_growth_only(db: Session, people: dict[str, uuid.UUID | Actor]) -> None:
    a = add(db, people["fr"], "FR")
    add(db, people["fr"], "FR")
    assert notices.run(db).campaigns == 0  # one country: nobody is told
    b = add(db, people["de"], "DE")
    done = notices.run(db)
    assert (done.campaigns, done.notifications) == (1, 3)  # FR, DE and EU officers
    box = inbox(db, people)
    told = {name for name, rows in box.items() if rows}
    assert told == {"officer.fr", "officer.de", "officer.eu"}
    note = box["officer.fr"][0]
    cid = db.scalar(select(CampaignNotice.campaign_id))
    assert note.link == f"/campaigns/{cid}" and note.kind == "correlation.campaign"
    assert "now spans 2 countries" in note.body and "DE 1" in note.body and "FR 2" in note.body
    for leak in (a.reference, b.reference, str(b.id), "fake seller", IBAN):
        assert leak not in note.body + note.subject  # counts only, never content
    # The EU contact point may read none of these AMBER reports: no link to a page that
    # would be a 404 for it, but the way to ask.
    eu_note = box["officer.eu"][0]
    assert eu_note.link == "/cooperation/new" and "You may read none of them" in eu_note.body
    assert "DE 1" in eu_note.body and "Open the campaign" not in eu_note.body
    assert notices.run(db).notifications == 0  # a repeat tells nobody again
    add(db, people["de"], "DE")
    add(db, people["de"], "DE")
    grown = notices.run(db)
    assert (grown.campaigns, grown.notifications) == (1, 3)
    latest = inbox(db, people)["officer.de"][-1]
    assert "grew by 2 report(s) in DE" in latest.body and "DE 3 (+2)" in latest.body
    assert "FR 2" in latest.body and "FR 2 (+" not in latest.body
    counts = {n.country: n.notified_count for n in db.scalars(select(CampaignNotice))}
    assert counts == {"FR": 2, "DE": 3}
    assert inbox(db, people)["officer.nl"] == [] and inbox(db, people)["bank"] == []
    officer = people["officer.de"]
    assert isinstance(officer, uuid.UUID) and notices.unread(db, officer) == 2


def queued_notify_args(s: Session) -> list[list[str] | None]:
    return [a.get("campaign_ids") for a in queued_job_args(s, "correlation.notify")]


def test_link_job_queues_notices_and_restarts_do_not_repeat(
    factory: sessionmaker[Session],
    people: dict[str, uuid.UUID | Actor],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with transaction(factory) as s:
        fr = make_report(s, people["fr"], victim_country="FR")  # type: ignore[arg-type]
        jobs.run_now(s, "correlation.link", report_ids=[str(fr.id)])
        assert queued_notify_args(s) == []  # a lone report: no multi-country campaign
    with transaction(factory) as s:
        de = make_report(s, people["de"], victim_country="DE")  # type: ignore[arg-type]
        jobs.run_now(s, "correlation.link", report_ids=[str(de.id)])
        queued = queued_notify_args(s)
        assert len(queued) == 1 and queued[0] is not None and len(queued[0]) == 1
    use_cli_settings(monkeypatch, settings)
    from contactpoint.cli import app

    out = CliRunner().invoke(app, ["campaigns", "notify"])
    assert out.exit_code == 0, out.output
    assert "1 campaigns notified, 3 notifications" in out.output
    # The queued job, a retry, and the periodic run (no ids) find nothing new after it.
    for _ in range(2):
        with transaction(factory) as s:
            assert jobs.run_now(s, "correlation.notify", campaign_ids=queued[0]) == {
                "campaigns": 0,
                "notifications": 0,
                "digests": 0,
                "follower_notifications": 0,
            }
    with transaction(factory) as s:
        assert jobs.run_now(s, "correlation.notify")["notifications"] == 0
        assert s.scalar(text("SELECT count(*) FROM notifications")) == 3
    assert jobs.get("correlation.notify").cron is not None


def ring(
    db: Session, people: dict[str, uuid.UUID | Actor], iban: str, *who: str, tlp: str = "AMBER"
) -> None:
    """One campaign: a report per (holder, victim country) pair, all paying ``iban``."""
    for pair in who:
        holder, country = pair.split(":")
        actor = people[holder]
        assert isinstance(actor, Actor)
        linked_iban_report(db, actor, country, iban, tlp)


def test_an_officer_told_of_many_campaigns_at_once_gets_one_digest(
    db: Session,
    people: dict[str, uuid.UUID | Actor],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    ibans = [
        "DE89370400440532013000",
        "NL91ABNA0417164300",
        "GB29NWBK60161331926819",
        "BE68539007547034",
    ]
    ring(db, people, ibans[0], "fr:FR", "de:DE")
    ring(db, people, ibans[1], "fr:FR", "de:DE")
    ring(db, people, ibans[2], "de:FR", "de:DE")
    ring(db, people, ibans[3], "de:DE", "de:NL")
    monkeypatch.setattr(notices, "DIGEST_LINES", 2)
    done = notices.run(db, settings.model_copy(update={"campaign_notice_digest": 2}))
    # FR is told of 3 campaigns, DE and the EU of 4: digests; NL of 1: its own notice.
    assert (done.campaigns, done.notifications, done.digests) == (4, 4, 3)
    box = inbox(db, people)
    assert [len(box[n]) for n in ("officer.fr", "officer.de", "officer.eu", "officer.nl")] == [
        1,
        1,
        1,
        1,
    ]
    fr = box["officer.fr"][0]
    assert fr.subject == "3 cross-border campaigns: 3 new, 0 grew"
    assert fr.link == notices.DIGEST_LINK and fr.kind == notices.KIND
    lines = [line for line in fr.body.splitlines() if line.startswith("- ")]
    assert len(lines) == 3 and lines[-1] == "- and 1 more."
    assert all("now spans 2 countries" in line for line in lines[:2])
    assert "campaigns list, sorted by growth" in fr.body
    for leak in (*ibans, "fake seller"):
        assert leak not in fr.body
    # The EU contact point may read none of them: the way to ask, not the list.
    eu = box["officer.eu"][0]
    assert eu.link == "/cooperation/new" and "You may read none of their reports" in eu.body
    nl = box["officer.nl"][0]
    assert nl.link.startswith("/campaigns/") and "now spans 2 countries" in nl.body
    assert len(db.scalars(select(CampaignNotice)).all()) == 8  # two countries each
    assert notices.run(db, settings).notifications == 0


def test_a_digest_marks_the_campaigns_the_officer_may_not_read(
    db: Session, people: dict[str, uuid.UUID | Actor], settings: Settings
) -> None:
    ring(db, people, "DE89370400440532013000", "fr:FR", "de:DE")
    # TLP:RED names its recipients: FR's officers may not read these, though FR's victim.
    ring(db, people, "GB29NWBK60161331926819", "de:FR", "de:DE", tlp="RED")
    done = notices.run(db, settings.model_copy(update={"campaign_notice_digest": 1}))
    assert done.digests == 3  # FR, DE and the EU
    body = inbox(db, people)["officer.fr"][0].body
    lines = [line for line in body.splitlines() if line.startswith("- ")]
    assert len(lines) == 2
    assert sum(line.endswith("You may read none of them.") for line in lines) == 1
    # Growth in one campaign is then a notice of its own again.
    ring(db, people, "DE89370400440532013000", "de:DE")
    grown = notices.run(db, settings)
    assert (grown.campaigns, grown.digests) == (1, 0)
    latest = inbox(db, people)["officer.fr"][-1]
    assert "grew by 1 report(s) in DE" in latest.body and latest.link.startswith("/campaigns/")
