"""Takedown's background job: remind providers of running TCO orders, alert senders of
overdue notices (``notice_escalation.py``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from contactpoint.core.jobs import job
from contactpoint.takedown import (
    notice_escalation,
    recheck,  # noqa: F401  (registers the re-check job, if any)
    service,
)


@job("takedown.escalate", cron="*/5 * * * *", retries=1)
def escalate(session: Session) -> dict[str, int]:
    """Provider reminders at 45 minutes of a TCO hour; senders told of overdue notices."""
    done = notice_escalation.run(session, service.settings_of(session))
    return {"provider_reminders": done.provider_reminders, "sender_alerts": done.sender_alerts}
