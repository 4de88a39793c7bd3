"""Intake queues linking by job name; the queued job and the recompute job build campaigns."""

from __future__ import annotations

import json
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import jobs
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.core.notify import Notification
from contactpoint.correlation.models import CampaignMember
from contactpoint.reports.bulk import import_file
from factories import actor_of, make_org, make_report, make_user, queued_job_args, report_data


def queued_link_args(s: Session) -> list[list[str]]:
    return [list(a["report_ids"]) for a in queued_job_args(s, "correlation.link")]


def members(s: Session) -> int:
    return len(s.scalars(select(CampaignMember)).all())


def test_submit_queues_a_link_job_that_builds_the_campaign(
    factory: sessionmaker[Session],
) -> None:
    with transaction(factory) as s:
        actor = actor_of(make_user(s, make_org(s, "Police FR", "law-enforcement", "FR")))
        a = make_report(s, actor)
        b = make_report(s, actor)
    with transaction(factory) as s:
        queued = queued_link_args(s)
        assert [str(a.id)] in queued and [str(b.id)] in queued
        assert members(s) == 0  # nothing linked until the job runs
        for ids in queued:
            jobs.run_now(s, "correlation.link", report_ids=ids)
        assert members(s) == 2


def test_bulk_import_links_in_its_batches_and_recompute_job_agrees(
    factory: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    with transaction(factory) as s:
        actor = actor_of(make_user(s, make_org(s, "Bank FR", "bank", "FR")))
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(report_data()) for _ in range(5)) + "\n")
    summary = import_file(factory, settings, actor, path, batch_size=2, workers=0)
    assert summary.accepted == 5
    with transaction(factory) as s:
        # Correlation's bulk linker updates campaigns in each batch: no link job is needed.
        assert queued_link_args(s) == []
        assert members(s) == 5
        assert jobs.run_now(s, "correlation.recompute") == {"campaigns": 1}
        assert members(s) == 5


def test_campaigns_from_a_bulk_import_are_notified_by_the_periodic_job(
    factory: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    with transaction(factory) as s:
        bank = make_org(s, "Bank FR", "bank", "FR")
        actor = actor_of(make_user(s, bank, ["bank-operator"]))
        for country in ("FR", "DE"):
            org = make_org(s, f"Police {country}", "law-enforcement", country)
            make_user(s, org, ["contact-point-officer"], email=f"cp.{country.lower()}@example.org")
    path = tmp_path / "r.jsonl"
    rows = [report_data(victim_country=c) for c in ("FR", "DE", "DE")]
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    assert import_file(factory, settings, actor, path, batch_size=2, workers=0).accepted == 3
    with transaction(factory) as s:
        assert members(s) == 3
        assert jobs.run_now(s, "correlation.notify") == {
            "campaigns": 1,
            "notifications": 2,
            "digests": 0,
            "follower_notifications": 0,
        }
    with transaction(factory) as s:
        assert jobs.run_now(s, "correlation.notify") == {
            "campaigns": 0,
            "notifications": 0,
            "digests": 0,
            "follower_notifications": 0,
        }


def test_a_bulk_import_of_many_batches_queues_one_notice_run_and_officers_get_one_digest(
    factory: sessionmaker[Session], settings: Settings, tmp_path: Path
) -> None:
    with transaction(factory) as s:
        bank = make_org(s, "Bank FR", "bank", "FR")
        actor = actor_of(make_user(s, bank, ["bank-operator"]))
        officer = make_user(
            s,
            make_org(s, "Police FR", "law-enforcement", "FR"),
            ["contact-point-officer"],
            email="cp.fr@example.org",
        )
    # Eight cross-border campaigns (FR and DE victims paying the same IBAN), in batches of 2.
    ibans = [f"DE{n:02d}370400440532013000" for n in range(8)]
    rows = [
        report_data(
            victim_country=country,
            suspect_identifiers=[{"type": "iban", "value": iban}],
        )
        for iban in ibans
        for country in ("FR", "DE")
    ]
    path = tmp_path / "r.jsonl"
    path.write_text("\n".join(json.dumps(r) for r in rows) + "\n")
    summary = import_file(factory, settings, actor, path, batch_size=2, workers=0)
    assert summary.accepted == 16, summary.rejects
    with transaction(factory) as s:
        queued = queued_job_args(s, "correlation.notify")
        assert queued == [{}]  # one run, at the end, over what changed; not one per batch
        assert jobs.run_now(s, "correlation.notify", **queued[0])["digests"] == 1
        told = s.scalars(
            select(Notification.subject).where(Notification.user_id == officer.id)
        ).all()
        assert told == ["8 cross-border campaigns: 8 new, 0 grew"]
