"""Rules for files attached to reports: never for CSAM, a count and size limit, types
recognised by content. Pure: no database."""

from __future__ import annotations

from contactpoint.core.errors import InvalidInput, TooLarge
from contactpoint.reports import storage
from contactpoint.reports.models import Report
from contactpoint.reports.schemas import (
    MAX_ATTACHMENT_BYTES,
    MAX_ATTACHMENTS,
    AttachmentIn,
    ReportIn,
)
from contactpoint.taxonomy.vocab import CrimeKind

CSAM_OFFENCES = frozenset({"ets185-art9", "d2011-93-art5"})


def is_csam(report: Report | ReportIn) -> bool:
    return report.crime_kind is CrimeKind.CSAM or (report.offence or "") in CSAM_OFFENCES


def check_attachments(data: Report | ReportIn, attachments: list[AttachmentIn]) -> None:
    if not attachments:
        return
    if is_csam(data):
        raise InvalidInput(
            "reports of child sexual abuse material never take uploads: give the address only",
            errors=[{"field": "attachments", "message": "not accepted for this kind of report"}],
        )
    if len(attachments) > MAX_ATTACHMENTS:
        raise InvalidInput(
            f"at most {MAX_ATTACHMENTS} attachments",
            errors=[{"field": "attachments", "message": "too many files"}],
        )
    for i, att in enumerate(attachments):
        field = f"attachments.{i}"
        if len(att.content) > MAX_ATTACHMENT_BYTES:
            raise TooLarge(
                f"{att.filename}: larger than {MAX_ATTACHMENT_BYTES // (1024 * 1024)} MiB",
                errors=[{"field": field, "message": "file too large"}],
            )
        if storage.sniff(att.content) is None:
            raise InvalidInput(
                f"{att.filename}: file type not accepted (images, PDF, text, e-mail only)",
                errors=[
                    {
                        "field": field,
                        "message": "file type not accepted; allowed: "
                        + ", ".join(storage.ALLOWED_TYPES),
                    }
                ],
            )
