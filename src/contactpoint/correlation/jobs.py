"""Correlation's jobs. Report intake defers ``correlation.link`` by name (reports sits below
correlation and may not import it; ADR 0012)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from contactpoint.core.actor import SYSTEM
from contactpoint.core.jobs import job
from contactpoint.correlation import service


@job("correlation.link", retries=3)
def link(session: Session, report_ids: list[str]) -> dict[str, int]:
    """Link newly stored reports into campaigns (incremental)."""
    service.link_reports(session, [uuid.UUID(r) for r in report_ids])
    return {"reports": len(report_ids)}


@job("correlation.recompute", retries=1)
def recompute(session: Session) -> dict[str, int]:
    """Rebuild every campaign from the stored report-indicator links."""
    return {"campaigns": service.recompute(session, SYSTEM)}
