"""Demo campaigns and their notices for `contactpoint demo`: link the loaded reports at once
(the queued `correlation.link` jobs would do it once the server runs) and tell the contact
points (officer.fr@, officer.de@, officer.nl@ and the EU officer) about the campaigns that
span countries, so /campaigns, the graph and the notifications are there on first login.
Running it again adds nothing: the notices keep their counts."""

from __future__ import annotations

from sqlalchemy.orm import Session

from contactpoint.core.actor import SYSTEM
from contactpoint.core.config import Settings
from contactpoint.correlation import notices
from contactpoint.correlation import service as campaigns


def seed_campaigns(session: Session, settings: Settings) -> tuple[int, int]:
    """Returns (campaigns, notifications written)."""
    session.info["settings"] = settings
    n = campaigns.recompute(session, SYSTEM)
    done = notices.run(session, settings)
    return n, done.notifications
