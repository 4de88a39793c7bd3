"""The request lifecycle through the service, on both databases."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select

from contactpoint.cooperation import escalation, service
from contactpoint.cooperation.deadlines import ClockState
from contactpoint.cooperation.models import CoopRequest, Status
from contactpoint.core import notify
from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from factories import actor_of, coop_pair, make_coop_request, make_org, make_user


def test_art29_lifecycle_records_every_step_and_the_timings(db) -> None:  # type: ignore[no-untyped-def]
    fr, de = coop_pair(db)
    req = make_coop_request(db, fr, de)
    assert req.status is Status.SENT and req.reference.startswith("CR-FR-")
    de_actor, fr_actor = actor_of(de), actor_of(fr)
    service.acknowledge(db, de_actor, req.id, "We will preserve today.")
    service.ask_clarification(db, de_actor, req.id, "Which account exactly?")
    assert req.status is Status.CLARIFICATION
    service.answer_clarification(db, fr_actor, req.id, "shop-4711")
    service.answer(db, de_actor, req.id, "Data preserved under ref DE-77.", partial=False)
    assert req.status is Status.ANSWERED
    kinds = [e.kind for e in req.events]
    assert kinds == [
        "drafted",
        "sent",
        "received",
        "acknowledged",
        "clarification_requested",
        "clarification_answered",
        "answered",
    ]
    assert req.seconds_to_acknowledge is not None and req.seconds_to_answer is not None
    actions = set(db.scalars(select(AuditEntry.action).where(AuditEntry.object_id == str(req.id))))
    assert {"cooperation.sent", "cooperation.acknowledged", "cooperation.answered"} <= actions
    # The preservation period keeps running after the answer; the MLA request continues it.
    [clock] = service.clocks(db, req)
    assert clock.name == "preservation" and clock.state is ClockState.RUNNING
    service.record(db, de_actor, req.id, "mla_received")
    assert service.clocks(db, req)[0].state is ClockState.CONTINUED


def test_acknowledging_an_answered_request_is_a_conflict(db) -> None:  # type: ignore[no-untyped-def]
    fr, de = coop_pair(db)
    req = make_coop_request(db, fr, de)
    service.answer(db, actor_of(de), req.id, "Done.", partial=False)
    with pytest.raises(Conflict, match="already answered"):
        service.acknowledge(db, actor_of(de), req.id, None)


def test_a_missing_art29_field_names_the_field_and_the_article(db) -> None:  # type: ignore[no-untyped-def]
    fr, de = coop_pair(db)
    fields = {k: v for k, v in make_fields().items() if k != "necessity"}
    with pytest.raises(InvalidInput) as err:
        make_coop_request(db, fr, de, fields=fields)
    assert err.value.errors == [
        {
            "field": "fields.necessity",
            "message": "Why preservation is necessary: required by ETS 185 Art. 29(2)(e)",
        }
    ]


def make_fields() -> dict[str, str]:
    from factories import ART29_FIELDS

    return dict(ART29_FIELDS)


def test_no_treaty_basis_needs_an_explicit_legal_basis(db) -> None:  # type: ignore[no-untyped-def]
    fr, _ = coop_pair(db)
    ru = make_user(db, make_org(db, country="RU"), ["contact-point-officer"])
    with pytest.raises(InvalidInput) as err:
        make_coop_request(db, fr, ru)
    assert err.value.errors[0]["field"] == "legal_basis"
    assert "no treaty basis between FR and RU" in err.value.errors[0]["message"]
    req = make_coop_request(db, fr, ru, legal_basis="Reciprocity (French CPP Art. 694)")
    assert req.status is Status.SENT and req.basis_warning


def test_others_do_not_see_a_request_and_drafts_stay_with_the_sender(db) -> None:  # type: ignore[no-untyped-def]
    fr, de = coop_pair(db)
    nl = make_user(db, make_org(db, country="NL"), ["contact-point-officer"])
    draft = make_coop_request(db, fr, de, send=False)
    with pytest.raises(NotFound):
        service.get(db, actor_of(de), draft.id)
    sent = make_coop_request(db, fr, de)
    assert service.get(db, actor_of(de), sent.id) is sent
    with pytest.raises(NotFound):
        service.get(db, actor_of(nl), sent.id)
    assert service.inbox(db, actor_of(nl)) == []
    with pytest.raises(Forbidden):  # the requester cannot answer its own request
        service.answer(db, actor_of(fr), sent.id, "x", partial=False)


def test_epoc_pr_extends_once_only(db) -> None:  # type: ignore[no-untyped-def]
    fr, _ = coop_pair(db)
    isp = make_user(db, make_org(db, kind="isp", country="DE"), ["provider-operator"])
    fields = {
        "issuing_authority": "Parquet de Paris",
        "addressee": "Nordnetz legal rep",
        "data_categories": "traffic",
        "users_and_period": "user x, March 2026",
        "offence_and_provisions": "fraud, Art. 313-1 Code pénal",
    }
    req = make_coop_request(db, fr, isp, type_code="epoc-pr", fields=fields)
    service.record(db, actor_of(fr), req.id, "extended")
    assert service.clocks(db, req)[0].due_at == req.sent_at + timedelta(days=90)
    with pytest.raises(InvalidInput, match="at most 1 extension"):
        service.record(db, actor_of(fr), req.id, "extended")


def test_escalation_reminds_then_tells_the_supervisors_once(db) -> None:  # type: ignore[no-untyped-def]
    fr, de = coop_pair(db)
    admin = make_user(db, de.organisation, ["admin"])
    fields = {
        "requesting_authority": "FR 24/7",
        "facts": "ransomware on a hospital",
        "assistance_sought": "preserve and identify",
        "urgency": "patients at risk",
    }
    req = make_coop_request(db, fr, de, type_code="urgent-24-7", fields=fields)
    soon = utcnow() + timedelta(hours=7)
    assert escalation.run(db, None, soon).reminders == 1
    assert [n.kind for n in notify.for_user(db, de.id)] == ["cooperation.reminder"]
    late = utcnow() + timedelta(hours=9)
    assert escalation.run(db, None, late).escalations == 1
    assert escalation.run(db, None, late).escalations == 0
    assert notify.for_user(db, admin.id)[0].subject.endswith("is overdue")
    assert db.get(CoopRequest, req.id).escalation == {"acknowledge": "escalated"}


def test_due_soon_and_overdue_views(db) -> None:  # type: ignore[no-untyped-def]
    fr, de = coop_pair(db)
    fields = {"requesting_authority": "a", "facts": "b", "assistance_sought": "c", "urgency": "d"}
    req = make_coop_request(db, fr, de, type_code="urgent-24-7", fields=fields)
    later = utcnow() + timedelta(hours=7)
    assert [
        r.id for r, _ in service.by_clock_state(db, actor_of(fr), ClockState.DUE_SOON, later)
    ] == [req.id]
    late = utcnow() + timedelta(hours=9)
    assert [
        r.id for r, _ in service.by_clock_state(db, actor_of(de), ClockState.OVERDUE, late)
    ] == [req.id]
    service.acknowledge(db, actor_of(de), req.id, "Yes, by phone within 2 hours.")
    assert service.by_clock_state(db, actor_of(de), ClockState.OVERDUE, late) == []


def test_the_escalation_job_is_registered_every_ten_minutes(db) -> None:  # type: ignore[no-untyped-def]
    from contactpoint.core import jobs

    spec = jobs.get("cooperation.escalate")
    assert spec.cron == "*/10 * * * *"
    fr, de = coop_pair(db)
    fields = {"requesting_authority": "a", "facts": "b", "assistance_sought": "c", "urgency": "d"}
    req = make_coop_request(db, fr, de, type_code="urgent-24-7", fields=fields)
    for ev in req.events:  # as if sent 9 hours ago
        ev.at -= timedelta(hours=9)
    req.sent_at -= timedelta(hours=9)
    service.refresh_due(db, req)
    assert jobs.run_now(db, "cooperation.escalate") == {"reminders": 0, "escalations": 1}


def test_an_overdue_epoc_at_a_provider_reaches_its_operators(db) -> None:  # type: ignore[no-untyped-def]
    fr, _de = coop_pair(db)
    isp = make_user(db, make_org(db, kind="isp", country="DE"), ["provider-operator"])
    fields = {
        "issuing_authority": "a",
        "addressee": "b",
        "data_categories": "subscriber",
        "users_and_period": "c",
        "offence_and_provisions": "d",
        "grounds": "e",
    }
    make_coop_request(db, fr, isp, type_code="epoc", fields=fields)
    assert escalation.run(db, None, utcnow() + timedelta(days=11)).escalations == 1
    assert [n.kind for n in notify.for_user(db, isp.id)] == ["cooperation.escalation"]


def test_an_answered_preservation_still_warns_the_requester_before_it_ends(db) -> None:  # type: ignore[no-untyped-def]
    fr, de = coop_pair(db)
    req = make_coop_request(db, fr, de)
    service.answer(db, actor_of(de), req.id, "Preserved.", partial=False)
    assert escalation.run(db, None, utcnow() + timedelta(days=58)).reminders == 1
    [note] = notify.for_user(db, fr.id)
    assert "Preservation period (at least 60 days) due in" in note.subject


def test_epoc_certificate_follows_annex_i_and_carries_the_notification(db) -> None:  # type: ignore[no-untyped-def]
    from contactpoint.cooperation import certificate

    fr, _de = coop_pair(db)
    isp = make_user(db, make_org(db, kind="isp", country="DE"), ["provider-operator"])
    fields = {
        "issuing_authority": "Parquet de Paris",
        "addressee": "Nordnetz legal rep",
        "data_categories": "content",
        "users_and_period": "mailbox x, 2026",
        "offence_and_provisions": "extortion",
        "grounds": "only copy",
    }
    req = make_coop_request(
        db, fr, isp, type_code="epoc", fields=fields, data_categories=["content"], emergency=True
    )
    cert = certificate.build(db, req)
    headings = [s.heading for s in cert.sections]
    assert "Annex I, section A: Issuing authority (and validating authority)" in headings
    assert (
        "Annex I, section D: Categories of data: subscriber, identification, traffic, content"
        in headings
    )
    note = next(s for s in cert.sections if s.heading.startswith("Notification of the enforcing"))
    assert ("Notification required", "yes") in note.rows
    deadlines_rows = next(s for s in cert.sections if s.heading == "Deadlines").rows
    assert [label.split(" [")[0] for label, _ in deadlines_rows] == [
        "Transmit the data",
        "Enforcing State's objection window (emergency, after notification)",
        "Validation of an emergency order issued without prior validation",
    ]
    assert certificate.pdf(cert).startswith(b"%PDF")
