"""Following a campaign, on both databases: a reader follows it (page, API, CLI), is told
when it grows whatever countries it spans, keeps following it through a merge, is told once
when also an officer, and gets a digest when many grow at once."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.accounts.models import User
from contactpoint.core import jobs
from contactpoint.core.actor import Actor
from contactpoint.core.audit import AuditEntry
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.core.errors import NotFound
from contactpoint.core.notify import Notification
from contactpoint.correlation import actions, follows, notices
from contactpoint.correlation import service as campaigns
from contactpoint.correlation.models import CampaignMember
from contactpoint.reports.models import Report
from factories import (
    actor_of,
    bearer,
    csrf_of,
    linked_iban_report,
    login,
    make_org,
    make_token,
    make_user,
    use_cli_settings,
)

IBANS = ["FR7630006000011234567890189", "DE89370400440532013000", "NL91ABNA0417164300"]


@pytest.fixture
def people(factory: sessionmaker[Session]) -> dict[str, Actor]:
    with transaction(factory) as s:
        fr = make_org(s, "Police FR", "law-enforcement", "FR")
        de = make_org(s, "Polizei DE", "law-enforcement", "DE")
        return {
            "fr": actor_of(make_user(s, fr, ["analyst"], email="analyst.fr@example.org")),
            "fr2": actor_of(make_user(s, fr, ["analyst"], email="other.fr@example.org")),
            "officer.fr": actor_of(
                make_user(s, fr, ["contact-point-officer"], email="officer.fr@example.org")
            ),
            "de": actor_of(make_user(s, de, ["analyst"], email="analyst.de@example.org")),
        }


add = linked_iban_report


def campaign_of(db: Session, report: Report) -> uuid.UUID:
    cid = db.scalar(select(CampaignMember.campaign_id).where(CampaignMember.report_id == report.id))
    assert cid is not None
    return cid


def told(db: Session, actor: Actor) -> list[Notification]:
    return list(
        db.scalars(
            select(Notification)
            .where(Notification.user_id == actor.user_id, Notification.kind == follows.KIND)
            .order_by(Notification.created_at)
        )
    )


def test_a_follower_is_told_when_a_single_country_campaign_grows(
    db: Session, people: dict[str, Actor]
) -> None:
    fr = people["fr"]
    first = add(db, fr, "FR", IBANS[0])
    add(db, fr, "FR", IBANS[0])
    cid = campaign_of(db, first)
    assert follows.follow(db, fr, cid) is True
    assert follows.follow(db, fr, cid) is False  # one follow, not two
    assert follows.is_following(db, fr, cid) and not follows.is_following(db, people["fr2"], cid)
    assert follows.run(db).notifications == 0  # nothing new since the follow
    add(db, fr, "FR", IBANS[0])
    add(db, fr, "FR", IBANS[0])
    # Officers are not told of a single-country campaign; the follower is.
    assert notices.run(db).notifications == 0
    done = follows.run(db)
    assert (done.campaigns, done.notifications) == (1, 1)
    [note] = told(db, fr)
    assert note.link == f"/campaigns/{cid}"
    assert "grew by 2 report(s) in FR" in note.body and "FR 4 (+2)" in note.body
    assert note.subject.endswith("(you follow it)")
    assert told(db, people["fr2"]) == []
    assert follows.run(db).notifications == 0  # told once
    assert fr.user_id is not None
    assert notices.unread(db, fr.user_id) == 1  # the campaigns page counts it
    assert follows.unfollow(db, fr, cid) is True and follows.unfollow(db, fr, cid) is False
    add(db, fr, "FR", IBANS[0])
    assert follows.run(db).notifications == 0
    kinds = [
        a.action for a in db.scalars(select(AuditEntry).where(AuditEntry.object_id == str(cid)))
    ]
    assert "campaign.follow" in kinds and "campaign.unfollow" in kinds


def test_a_follow_goes_on_through_a_merge_and_a_hidden_campaign_is_404(
    db: Session, people: dict[str, Actor]
) -> None:
    fr, de = people["fr"], people["de"]
    a = add(db, fr, "FR", IBANS[0])
    add(db, fr, "FR", IBANS[0])
    b = add(db, fr, "FR", IBANS[1])
    add(db, fr, "FR", IBANS[1])
    followed, other = campaign_of(db, a), campaign_of(db, b)
    with pytest.raises(NotFound):
        follows.follow(db, de, followed)  # DE may see none of these AMBER reports
    follows.follow(db, fr, followed)
    follows.follow(db, fr, other)
    joined = actions.merge(db, fr, followed, other, "one suspect behind both accounts")
    assert follows.is_following(db, fr, joined)
    done = follows.run(db)
    assert done.notifications == 1  # both follows now meet in one campaign: one notice
    [note] = told(db, fr)
    assert note.link == f"/campaigns/{joined}" and "FR 4 (+2)" in note.body
    listed, _ = campaigns.list_campaigns(db, fr, followed=True)
    assert [c["id"] for c in listed] == [str(joined)]
    assert campaigns.list_campaigns(db, people["fr2"], followed=True)[0] == []


def test_an_officer_who_follows_is_told_once_and_many_at_once_make_a_digest(
    factory: sessionmaker[Session],
    people: dict[str, Actor],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setattr(notices, "CHUNK", 1)  # every chunked read meets its boundary
    officer, fr, de = people["officer.fr"], people["fr"], people["de"]
    with transaction(factory) as s:
        s.info["settings"] = settings
        cross = add(s, fr, "FR", IBANS[0])
        add(s, de, "DE", IBANS[0])
        cid = campaign_of(s, cross)
        notices.run(s, settings)  # the first notice: it spans two countries
        follows.follow(s, officer, cid)
        follows.follow(s, fr, cid)
        add(s, de, "DE", IBANS[0])
        result = jobs.run_now(s, "correlation.notify", campaign_ids=[str(cid)])
        assert result["notifications"] == 1 and result["follower_notifications"] == 1
        # The officer had their notice; the analyst, as a follower, theirs.
        assert len(told(s, officer)) == 0 and len(told(s, fr)) == 1
        assert "grew by 1 report(s) in DE" in told(s, fr)[0].body
        # The follower's counts moved on for the officer too: no late second notice.
        assert follows.run(s, settings).notifications == 0
    with transaction(factory) as s:
        for iban in IBANS[1:]:
            r = add(s, fr, "FR", iban)
            add(s, fr, "FR", iban)
            follows.follow(s, fr, campaign_of(s, r))
        for iban in IBANS:
            add(s, fr, "FR", iban)
        few = settings.model_copy(update={"campaign_notice_digest": 2})
        every = [campaign_of(s, r) for r in s.scalars(select(Report))]
        done = follows.run(s, few, sorted(set(every), key=str))
        # The analyst follows three that grew: one digest. The officer follows one: a notice.
        assert (done.notifications, done.digests, done.campaigns) == (2, 1, 3)
        assert len(told(s, officer)) == 1
        digest = told(s, fr)[-1]
        assert digest.subject == "3 campaigns you follow grew"
        assert digest.link == follows.FOLLOWED_LINK
        assert len([x for x in digest.body.splitlines() if x.startswith("- Campaign")]) == 3
        for iban in IBANS:
            assert iban not in digest.body


def test_follow_through_the_api_the_page_and_the_cli(
    client: TestClient,
    factory: sessionmaker[Session],
    people: dict[str, Actor],
    settings: Settings,
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    with transaction(factory) as s:
        r = add(s, people["fr"], "FR", IBANS[0])
        add(s, people["fr"], "FR", IBANS[0])
        cid = campaign_of(s, r)
        fr_user = s.get(User, people["fr"].user_id)
        de_user = s.get(User, people["de"].user_id)
        assert fr_user is not None and de_user is not None
        token = make_token(s, fr_user, ["reports:read"])[1]
        de_token = make_token(s, de_user, ["reports:read"])[1]
    url = f"/api/v1/campaigns/{cid}/follow"
    assert client.post(url, headers=bearer(token)).json() == {"following": True, "changed": True}
    assert client.post(url, headers=bearer(token)).json()["changed"] is False
    assert client.get(f"/api/v1/campaigns/{cid}", headers=bearer(token)).json()["following"]
    listed = client.get("/api/v1/campaigns?followed=true", headers=bearer(token)).json()
    assert [c["id"] for c in listed["items"]] == [str(cid)]
    assert client.post(url, headers=bearer(de_token)).status_code == 404
    gone = client.delete(url, headers=bearer(token)).json()
    assert gone == {"following": False, "changed": True}
    assert (
        client.get("/api/v1/campaigns?followed=true", headers=bearer(token)).json()["items"] == []
    )

    # The page: a Follow button, then "You follow this campaign" and Stop following.
    login(client, "analyst.fr@example.org")
    page = client.get(f"/campaigns/{cid}")
    assert 'value="follow"' in page.text and 'id="following"' not in page.text
    resp = client.post(
        f"/campaigns/{cid}/follow",
        data={"csrf_token": csrf_of(page.text), "action": "follow"},
        follow_redirects=False,
    )
    assert resp.status_code == 303
    page = client.get(f"/campaigns/{cid}")
    assert 'id="following"' in page.text and 'value="unfollow"' in page.text
    assert str(cid)[-8:] in client.get("/campaigns?followed=1").text

    # The CLI, as a user.
    use_cli_settings(monkeypatch, settings)
    from contactpoint.cli import app

    cli = CliRunner()
    out = cli.invoke(app, ["campaigns", "unfollow", str(cid), "--as", "analyst.fr@example.org"])
    assert out.exit_code == 0 and "no longer follows" in out.output, out.output
    out = cli.invoke(app, ["campaigns", "follow", str(cid), "--as", "analyst.fr@example.org"])
    assert out.exit_code == 0 and "now follows" in out.output, out.output
    out = cli.invoke(
        app, ["campaigns", "list", "--followed", "--json", "--as", "analyst.fr@example.org"]
    )
    assert out.exit_code == 0 and str(cid) in out.output, out.output
    out = cli.invoke(app, ["campaigns", "list", "--followed"])
    assert out.exit_code != 0 and "--followed needs --as" in out.output
    out = cli.invoke(app, ["campaigns", "follow", "not-an-id", "--as", "analyst.fr@example.org"])
    assert out.exit_code != 0 and "is not an id" in out.output
