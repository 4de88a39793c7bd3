"""Cooperation's background job: escalate clocks that are due soon or overdue."""

from __future__ import annotations

from sqlalchemy.orm import Session

from contactpoint.cooperation import escalation
from contactpoint.core.config import get_settings
from contactpoint.core.jobs import job


@job("cooperation.escalate", cron="*/10 * * * *", retries=1)
def escalate(session: Session) -> dict[str, int]:
    """Reminders for clocks due soon; supervisors told of overdue ones (e-mail if SMTP set)."""
    settings = session.info.get("settings") or get_settings()
    done = escalation.run(session, settings)
    return {"reminders": done.reminders, "escalations": done.escalations}
