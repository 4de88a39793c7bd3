"""One test per rule row of shared/LEGAL_RULES.md "Cooperation requests and their clocks":
the shipped data carries the clock, the source and the (check) flag; deadlines.py applies it."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from contactpoint.cooperation import rules
from contactpoint.cooperation.deadlines import ClockState, Event, compute, compute_all
from contactpoint.cooperation.rules import RulesError

R = rules.load()
T0 = datetime(2026, 9, 1, 8, 0, tzinfo=UTC)


def at(**kw: float) -> datetime:
    return T0 + timedelta(**kw)


def received() -> list[Event]:
    return [Event("received", T0)]


def test_every_type_of_the_issue_is_shipped_with_a_citation() -> None:
    assert set(R.types) == {
        "urgent-24-7",
        "preservation-domestic",
        "preservation-mla",
        "epoc",
        "epoc-pr",
        "mla",
        "spontaneous",
        "subscriber-direct",
    }
    for t in R.types.values():
        assert t.citation and t.summary and t.fields
        for c in t.clocks:
            assert c.citation
        for f in t.fields:
            assert f.article


def test_urgent_24_7_acknowledge_within_8_hours() -> None:
    t = R.get("urgent-24-7")
    assert "2013/40/EU Art. 13(1)" in t.citation and "2019/713 Art. 14(1)" in t.citation
    clock = compute(t.clock("acknowledge"), received(), at(hours=7))
    assert clock.due_at == at(hours=8) and clock.state is ClockState.DUE_SOON
    assert compute(t.clock("acknowledge"), received(), at(hours=8, minutes=1)).state is (
        ClockState.OVERDUE
    )
    acked = [*received(), Event("acknowledged", at(hours=3))]
    assert compute(t.clock("acknowledge"), acked, at(hours=20)).state is ClockState.MET
    assert not t.clock("acknowledge").pausable


def test_domestic_preservation_90_days_renewable() -> None:
    c = R.get("preservation-domestic").clock("preservation")
    assert c.citation.startswith("ETS 185 Art. 16") and c.extension and c.extension.max is None
    events = [*received(), Event("extended", at(days=80)), Event("extended", at(days=170))]
    clock = compute(c, events, at(days=100))
    assert clock.due_at == at(days=270) and clock.extensions == 2
    assert compute(c, received(), at(days=91)).state is ClockState.EXPIRED


def test_preservation_via_mla_at_least_60_days_and_continues_on_mla_request() -> None:
    t = R.get("preservation-mla")
    assert [f.article for f in t.required_fields] == [f"ETS 185 Art. 29(2)({x})" for x in "abcdef"]
    c = t.clock("preservation")
    assert c.citation == "ETS 185 Art. 29(7)" and c.extension is None
    assert compute(c, received(), at(days=59)).state is ClockState.DUE_SOON
    assert compute(c, received(), at(days=60)).state is ClockState.EXPIRED
    cont = [*received(), Event("mla_received", at(days=40))]
    assert compute(c, cont, at(days=400)).state is ClockState.CONTINUED


def test_epoc_10_days_and_8_hours_in_an_emergency() -> None:
    t = R.get("epoc")
    c = t.clock("produce")
    assert "2023/1543 Art. 10" in c.citation
    assert compute(c, received(), at(days=1)).due_at == at(days=10)
    assert compute(c, received(), at(hours=1), emergency=True).due_at == at(hours=8)
    assert [k.name for k in compute_all(t, received(), T0)] == ["produce"]


def test_epoc_emergency_objection_window_96_hours_is_flagged_check() -> None:
    t = R.get("epoc")
    c = t.clock("objection")
    assert c.check and c.duration == timedelta(hours=96)
    names = [k.name for k in compute_all(t, received(), T0, emergency=True, notification=True)]
    assert names == ["produce", "objection", "validation"]
    assert compute(c, received(), at(hours=97)).state is ClockState.EXPIRED


def test_emergency_order_without_prior_validation_validated_within_48_hours() -> None:
    c = R.get("epoc").clock("validation")
    assert c.citation == "Reg. 2023/1543 Art. 4(5)" and c.duration == timedelta(hours=48)
    assert compute(c, received(), at(hours=49)).state is ClockState.OVERDUE
    ok = [*received(), Event("validated", at(hours=20))]
    assert compute(c, ok, at(hours=49)).state is ClockState.MET


def test_notification_to_enforcing_state_for_traffic_and_content_data() -> None:
    from contactpoint.cooperation.deadlines import notification_required

    t = R.get("epoc")
    assert t.notification_citation == "Reg. 2023/1543 Art. 8" and t.notification_check
    assert notification_required(t, ["traffic"]) and notification_required(t, ["content"])
    assert not notification_required(t, ["subscriber"])


def test_epoc_pr_60_days_one_30_day_extension_continues_on_confirmed_production() -> None:
    c = R.get("epoc-pr").clock("preservation")
    once = [*received(), Event("extended", at(days=50), "preservation")]
    assert compute(c, once, at(days=55)).due_at == at(days=90)
    from contactpoint.cooperation.deadlines import ExtensionNotAllowed

    with pytest.raises(ExtensionNotAllowed):
        compute(c, [*once, Event("extended", at(days=85), "preservation")], at(days=86))
    pending = [*received(), Event("production_confirmed", at(days=30))]
    assert compute(c, pending, at(days=200)).state is ClockState.CONTINUED


def test_e_evidence_applies_from_18_august_2026() -> None:
    from contactpoint.cooperation.legalbasis import EEVIDENCE_FROM

    assert EEVIDENCE_FROM.isoformat() == "2026-08-18"


def test_direct_subscriber_request_30_days_check_and_not_in_force() -> None:
    t = R.get("subscriber-direct")
    assert t.not_in_force and t.check and t.citation == "CETS 224 Art. 7"
    c = t.clock("answer")
    assert c.check and compute(c, received(), T0).due_at == at(days=30)


def test_mla_and_spontaneous_information_carry_no_clock() -> None:
    assert R.get("mla").clocks == () and R.get("spontaneous").clocks == ()
    assert R.get("spontaneous").citation == "ETS 185 Art. 26"


def test_an_operator_copy_with_a_broken_clock_names_the_type_and_key(tmp_path) -> None:  # type: ignore[no-untyped-def]
    text = rules.SHIPPED.read_text().replace("hours: 8, party: receiver", "party: receiver", 1)
    with pytest.raises(RulesError, match="type urgent-24-7, clock 1: a clock needs"):
        rules.parse(text)
