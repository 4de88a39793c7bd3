"""`contactpoint takedown ...` in-process against the test database, and the escalation."""

from __future__ import annotations

import json
from datetime import timedelta

from notice_helpers import TCO_FIELDS, notice_data, world
from sqlalchemy import select
from typer.testing import CliRunner

from contactpoint.cli import app
from contactpoint.core.db import transaction, utcnow
from contactpoint.core.notify import Notification
from contactpoint.takedown import notice_escalation, service
from contactpoint.takedown.models import Notice
from contactpoint.takedown.schemas import NoticeIn
from factories import actor_of, use_cli_settings


def test_send_ack_act_show_and_verify_from_the_cli(
    settings, factory, monkeypatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    use_cli_settings(monkeypatch, settings)
    with transaction(factory) as s:
        w = world(s)
        police, operator = w.police.email, w.operator.email
    runner = CliRunner()
    args = ["takedown", "send", "tco-removal-order", "https://files.hostco.net/v/1.mp4"]
    args += ["--as", police, "--category", "terrorist-content", "--external-id", "cli-1"]
    missing = runner.invoke(app, args)
    assert missing.exit_code == 2 and "required by TCO Annex I section A" in missing.output
    for k, v in TCO_FIELDS.items():
        args += ["-f", f"{k}={v}"]
    sent = runner.invoke(app, args)
    assert sent.exit_code == 0, sent.output
    ref = sent.output.split()[0]
    assert ref.startswith("TD-FR-") and "awaiting receipt" in sent.output
    again = runner.invoke(app, args)
    assert again.exit_code == 0 and f"{ref} already sent" in again.output

    ack = runner.invoke(app, ["takedown", "ack", ref, "--as", operator])
    assert ack.exit_code == 0 and "due in 59 min" in ack.output
    acted = runner.invoke(app, ["takedown", "act", ref, "removed", "--as", operator])
    assert acted.exit_code == 0 and "removed" in acted.output
    twice = runner.invoke(app, ["takedown", "act", ref, "disabled", "--as", operator])
    assert twice.exit_code == 2 and "already answered" in twice.output

    listed = runner.invoke(app, ["takedown", "list", "--as", police, "--status", "removed"])
    assert ref in listed.output
    shown = runner.invoke(app, ["takedown", "show", ref, "--json"])
    body = json.loads(shown.output)
    assert [t["event"] for t in body["timestamps"]] == ["sent", "received"]
    assert runner.invoke(app, ["takedown", "verify-timestamp", ref]).exit_code == 0

    stamp = tmp_path / "received.json"
    key = tmp_path / "node.pem"
    key.write_text(body["public_key_pem"])
    stamp.write_text(json.dumps(body["timestamps"][1]))
    ok = runner.invoke(app, ["takedown", "verify-timestamp", str(stamp), "--key", str(key)])
    assert ok.exit_code == 0 and "signature valid" in ok.output
    altered = dict(body["timestamps"][1], at="2026-01-01T00:00:00.000000+00:00")
    stamp.write_text(json.dumps(altered))
    bad = runner.invoke(app, ["takedown", "verify-timestamp", str(stamp), "--key", str(key)])
    assert bad.exit_code == 1 and "signature INVALID" in bad.output

    # an altered event in the database fails the check too
    with transaction(factory) as s:
        n = s.scalars(select(Notice).where(Notice.reference == ref)).one()
        n.events[0].at = n.events[0].at + timedelta(seconds=1)
    assert runner.invoke(app, ["takedown", "verify-timestamp", ref]).exit_code == 1


def test_escalation_reminds_the_provider_at_45_minutes_and_alerts_the_sender(db, settings) -> None:  # type: ignore[no-untyped-def]
    db.info["settings"] = settings
    w = world(db)
    notice, _ = service.send(db, actor_of(w.police), NoticeIn.model_validate(notice_data()))
    service.acknowledge(db, actor_of(w.operator), notice.id)
    assert notice.received_at is not None
    t = notice.received_at
    assert notice_escalation.run(db, settings, t + timedelta(minutes=44)).provider_reminders == 0
    done = notice_escalation.run(db, settings, t + timedelta(minutes=46))
    assert (done.provider_reminders, done.sender_alerts) == (1, 0)
    again = notice_escalation.run(db, settings, t + timedelta(minutes=50))
    assert (again.provider_reminders, again.sender_alerts) == (0, 0)
    late = notice_escalation.run(db, settings, t + timedelta(minutes=70))
    assert (late.provider_reminders, late.sender_alerts) == (0, 1)
    kinds = {
        (n.user_id, n.kind)
        for n in db.scalars(select(Notification).where(Notification.kind.like("takedown.%")))
    }
    assert (w.operator.id, "takedown.reminder") in kinds
    assert (w.police.id, "takedown.overdue") in kinds
    assert (w.operator.id, "takedown.new") in kinds
    assert not any(uid == w.other_operator.id for uid, _ in kinds)
    assert notice.escalation.keys() == {"provider-reminded", "sender-alerted"}
    assert utcnow() < notice.due_at  # the real clock still runs; the job took "now" as given
