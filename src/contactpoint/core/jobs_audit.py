"""Core's scheduled jobs."""

from __future__ import annotations

from sqlalchemy.orm import Session

from contactpoint.core import audit
from contactpoint.core.actor import SYSTEM
from contactpoint.core.jobs import job


@job("audit.verify", cron="17 3 * * *", retries=0)
def verify_audit_log(session: Session) -> None:
    """Nightly check of the audit chain; the outcome is itself an audit entry.

    ``audit.broken`` is what monitoring should alert on: it names the first bad entry.
    """
    result = audit.verify(session)
    details = {
        "checked": result.checked,
        "broken_seq": result.broken_seq,
        "problem": result.problem,
    }
    audit.record(
        session,
        SYSTEM,
        "audit.verified" if result.ok else "audit.broken",
        object_type="audit_log",
        details=details,
    )
