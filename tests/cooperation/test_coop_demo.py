"""The demo loads requests whose clocks run, are due soon, and are overdue."""

from __future__ import annotations

from collections import Counter

from sqlalchemy import select

from contactpoint.cooperation import service
from contactpoint.cooperation.models import CoopRequest
from contactpoint.training.demo_accounts import seed_accounts
from contactpoint.training.demo_cooperation import seed_cooperation


def test_demo_requests_show_every_clock_state_once(db) -> None:  # type: ignore[no-untyped-def]
    seed_accounts(db)
    assert seed_cooperation(db) == 6
    assert seed_cooperation(db) == 0  # a second run adds nothing
    states = Counter(
        c.state.value for r in db.scalars(select(CoopRequest)) for c in service.clocks(db, r)
    )
    assert states == {"running": 2, "due soon": 2, "overdue": 2}
