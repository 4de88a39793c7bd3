"""The demo notices: every kind in every state, addressed to the demo provider, with valid
signatures; a second run adds nothing."""

from __future__ import annotations

from sqlalchemy import select

from contactpoint.accounts.models import User
from contactpoint.takedown import service
from contactpoint.takedown.notice_clock import ClockState
from contactpoint.training.demo_accounts import DOMAIN, seed_accounts
from contactpoint.training.demo_takedown import DEMOS, seed_takedown
from factories import actor_of


def test_demo_notices_fill_the_provider_portal(db, settings) -> None:  # type: ignore[no-untyped-def]
    db.info["settings"] = settings
    seed_accounts(db)
    assert seed_takedown(db) == len(DEMOS)
    assert seed_takedown(db) == 0
    provider = db.scalars(select(User).where(User.email == f"provider@{DOMAIN}")).one()
    rows, _ = service.page(db, actor_of(provider), box="received", limit=100)
    assert len(rows) == len(DEMOS)
    assert {n.kind.value for n in rows} == {
        "dsa-art16",
        "tco-removal-order",
        "voluntary-referral",
        "hotline-ntd",
    }
    assert {n.status.value for n in rows} == {
        "sent",
        "received",
        "removed",
        "disabled",
        "refused",
        "withdrawn",
    }
    states = {service.clock(db, n).state for n in rows}
    assert {
        ClockState.AWAITING_RECEIPT,
        ClockState.RUNNING,
        ClockState.DUE_SOON,
        ClockState.OVERDUE,
        ClockState.PAUSED,
        ClockState.MET,
    } <= states
    assert all(t.valid for n in rows for t in service.timestamps_of(db, n))
