"""`contactpoint demo` links its reports into multi-country campaigns at once and notifies the
demo contact-point officers; running it again tells nobody twice."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.accounts.models import User
from contactpoint.cli import app
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import transaction
from contactpoint.core.notify import Notification
from contactpoint.correlation.models import Campaign
from contactpoint.correlation.notices import KIND
from factories import use_cli_settings


def officer_notices(s: Session) -> dict[str, int]:
    rows = s.execute(
        select(User.email, func.count())
        .join(Notification, Notification.user_id == User.id)
        .where(Notification.kind == KIND)
        .group_by(User.email)
    )
    return {email: int(n) for email, n in rows}


def test_demo_has_multi_country_campaigns_and_notified_officers(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, factory: sessionmaker[Session]
) -> None:
    use_cli_settings(monkeypatch, settings)
    try:
        result = CliRunner().invoke(app, ["demo", "--reports", "150"])
        assert result.exit_code == 0, result.output
        assert "campaign notifications to contact points" in result.output
        with transaction(factory) as s:
            spans = [len(c) for c in s.scalars(select(Campaign.countries))]
            assert spans and max(spans) >= 2
            told = officer_notices(s)
        assert told.get("officer@demo.contactpoint.eu", 0) >= 1  # the EU contact point
        national = [e for e in told if e.startswith("officer.")]
        assert national, told  # at least one national officer (FR, DE or NL)
        assert set(told) <= {
            "officer@demo.contactpoint.eu",
            "officer.fr@demo.contactpoint.eu",
            "officer.de@demo.contactpoint.eu",
            "officer.nl@demo.contactpoint.eu",
        }
        again = CliRunner().invoke(app, ["demo", "--reports", "150"])
        assert again.exit_code == 0, again.output
        assert "0 campaign notifications" in again.output
        with transaction(factory) as s:
            assert officer_notices(s) == told
    finally:
        get_settings.cache_clear()
