"""The notice kinds as data, an operator's corrected copy, and the clock's invariants."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from hypothesis import given
from hypothesis import strategies as st

from contactpoint.takedown import notice_clock, rules
from contactpoint.takedown.notice_clock import ClockState


def test_shipped_rules_have_every_kind_with_sources() -> None:
    r = rules.load()
    tco = r.get("tco-removal-order")
    assert tco.clock is not None and tco.clock.duration == timedelta(hours=1)
    assert tco.clock.starts_on == "received" and tco.clock.legal and tco.pausable
    assert tco.scrutiny_hours == 72 and tco.issuers == ("law-enforcement", "public-body")
    assert r.get("dsa-art16").clock is None
    assert r.get("dsa-art16").notifier.required_for("phishing")
    assert not r.get("dsa-art16").notifier.required_for("csam")
    ntd = r.get("hotline-ntd").clock
    assert ntd is not None and [m.days for m in ntd.milestones] == [3, 7] and not ntd.legal
    assert all(f.article for k in r.kinds.values() for f in k.fields)
    with pytest.raises(KeyError, match="known: dsa-art16"):
        r.get("nope")


def test_an_operator_copy_changes_the_referral_target(tmp_path: Path) -> None:
    text = rules.SHIPPED.read_text().replace(
        "label: Operator target (no legal clock)\n      hours: 72",
        "label: Operator target (no legal clock)\n      hours: 24",
    )
    path = tmp_path / "kinds.yaml"
    path.write_text(text)
    clock = rules.load(path).get("voluntary-referral").clock
    assert clock is not None and clock.duration == timedelta(hours=24)


@pytest.mark.parametrize(
    ("broken", "message"),
    [
        ("      starts_on: received\n", "      starts_on: arrival\n"),
        ("    urls_article: TCO Annex I (exact URL)\n", ""),
        ("    scrutiny:\n", "    scrutny:\n"),
    ],
)
def test_a_broken_file_names_the_kind_and_key(broken: str, message: str) -> None:
    text = rules.SHIPPED.read_text().replace(broken, message, 1)
    with pytest.raises(rules.RulesError, match="kind tco-removal-order"):
        rules.parse(text)


T0 = datetime(2026, 3, 1, 12, 0, tzinfo=UTC)
TCO = rules.load().get("tco-removal-order").clock


@given(
    received=st.integers(0, 10_000),
    paused=st.integers(0, 100_000),
    now=st.integers(0, 200_000),
)
def test_a_pause_never_brings_the_due_time_earlier(received: int, paused: int, now: int) -> None:
    assert TCO is not None
    at = T0 + timedelta(seconds=received)
    plain = notice_clock.due_at(TCO, T0, at)
    later = notice_clock.due_at(TCO, T0, at, paused)
    assert plain is not None and later is not None
    assert later - plain == timedelta(seconds=paused) and plain == at + timedelta(hours=1)
    view = notice_clock.view(
        TCO,
        due=later,
        paused_at=None,
        acted_at=None,
        withdrawn=False,
        now=T0 + timedelta(seconds=now),
    )
    assert (view.state is ClockState.OVERDUE) == (T0 + timedelta(seconds=now) > later)
    assert notice_clock.due_at(TCO, T0, None) is None  # no receipt, no clock


def test_clock_texts() -> None:
    assert TCO is not None
    due = T0 + timedelta(hours=1)
    running = notice_clock.view(
        TCO, due=due, paused_at=None, acted_at=None, withdrawn=False, now=T0 + timedelta(minutes=18)
    )
    assert (running.state, running.text) == (ClockState.RUNNING, "due in 42 min")
    soon = notice_clock.view(
        TCO, due=due, paused_at=None, acted_at=None, withdrawn=False, now=T0 + timedelta(minutes=50)
    )
    assert soon.state is ClockState.DUE_SOON
    late = notice_clock.view(
        TCO, due=due, paused_at=None, acted_at=None, withdrawn=False, now=T0 + timedelta(hours=3)
    )
    assert late.text == "overdue by 2 h"
    paused = notice_clock.view(
        TCO,
        due=due,
        paused_at=T0 + timedelta(minutes=48),
        acted_at=None,
        withdrawn=False,
        now=T0 + timedelta(hours=5),
    )
    assert paused.text == "paused, 12 min left"
    met = notice_clock.view(
        TCO,
        due=due,
        paused_at=None,
        acted_at=due + timedelta(minutes=1),
        withdrawn=False,
        now=T0 + timedelta(hours=5),
    )
    assert met.state is ClockState.MET and met.late
