"""The printable certificate of a sent request, in HTML (template) and PDF (fpdf2).

Laid out like the form it stands for: an EPOC follows the sections of Annex I of
Reg. 2023/1543 and an EPOC-PR those of Annex II (the field rules name their section); other
types list their required content with the article that requires it, e.g. ETS 185
Art. 29(2)(a)-(f).
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field

from fpdf import FPDF
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.cooperation import service
from contactpoint.cooperation.models import CoopRequest

ANNEX = {"epoc": "Annex I", "epoc-pr": "Annex II"}


@dataclass
class Section:
    heading: str
    rows: list[tuple[str, str]] = field(default_factory=list)


@dataclass
class Certificate:
    title: str
    citation: str
    reference: str
    sections: list[Section]
    check: bool


def _fmt(dt: object) -> str:
    return dt.strftime("%Y-%m-%d %H:%M UTC") if dt is not None else "—"  # type: ignore[attr-defined]


def build(session: Session, req: CoopRequest) -> Certificate:
    rtype = service.rules_for(session).get(req.type_code)
    sender = session.get(Organisation, req.owner_org_id) if req.owner_org_id else None
    receiver = session.get(Organisation, req.receiving_org_id)
    head = Section(
        "Request",
        [
            ("Reference", req.reference),
            ("Type", f"{rtype.title} (source: {rtype.citation})"),
            ("Subject", req.subject),
            (
                "Requesting authority",
                f"{sender.name if sender else '—'} ({req.requesting_country})",
            ),
            ("Addressee", f"{receiver.name if receiver else '—'} ({req.receiving_country})"),
            ("Sent", _fmt(req.sent_at)),
            ("Emergency", "yes" if req.emergency else "no"),
            ("Legal basis", req.legal_basis or rtype.citation),
            ("Markings", f"TLP:{req.tlp.value} PAP:{req.pap.value}"),
        ],
    )
    sections = [head]
    annex = ANNEX.get(rtype.code)
    by_heading: dict[str, Section] = {}
    for f in rtype.fields:
        value = (req.fields or {}).get(f.name) or "—"
        if annex:
            m = re.search(r"section ([A-Z])", f.article)
            heading = (
                f"{annex}, section {m.group(1)}: {f.label}" if m else f"{f.label} ({f.article})"
            )
            sections.append(Section(heading, [(f.label, value)]))
        else:
            sec = by_heading.setdefault("Content", Section(f"Content required by {rtype.citation}"))
            sec.rows.append((f"{f.label} [{f.article}]", value))
    sections.extend(by_heading.values())
    if rtype.notification_for:
        sections.append(
            Section(
                f"Notification of the enforcing State ({rtype.notification_citation})",
                [
                    ("Data categories", ", ".join(req.data_categories) or "—"),
                    ("Notification required", "yes" if req.notify_enforcing_state else "no"),
                ],
            )
        )
    clocks = service.clocks(session, req)
    if clocks:
        sections.append(
            Section(
                "Deadlines",
                [
                    (f"{c.rule.label} [{c.rule.citation}]", f"{_fmt(c.due_at)} ({c.state.value})")
                    for c in clocks
                ],
            )
        )
    return Certificate(rtype.title, rtype.citation, req.reference, sections, rtype.check)


# Dashes, curly quotes and the ellipsis by code point (their glyphs are easy to misread).
_LATIN = str.maketrans(
    {0x2014: "-", 0x2013: "-", 0x2019: "'", 0x2018: "'", 0x201C: '"', 0x201D: '"', 0x2026: "..."}
)


def _latin1(text: str) -> str:
    """fpdf2's core fonts are Latin-1; keep the text readable instead of failing."""
    return text.translate(_LATIN).encode("latin-1", "replace").decode("latin-1")


def pdf(cert: Certificate) -> bytes:
    doc = FPDF(format="A4")
    doc.set_title(_latin1(f"{cert.title} {cert.reference}"))
    doc.set_creator("contactpoint")
    doc.add_page()
    doc.set_font("Helvetica", "B", 15)
    doc.multi_cell(0, 8, _latin1(cert.title), new_x="LMARGIN", new_y="NEXT")
    doc.set_font("Helvetica", "", 10)
    doc.multi_cell(
        0, 6, _latin1(f"{cert.reference} - source: {cert.citation}"), new_x="LMARGIN", new_y="NEXT"
    )
    if cert.check:
        doc.multi_cell(
            0,
            6,
            "Rule marked (check): not confirmed against the official text.",
            new_x="LMARGIN",
            new_y="NEXT",
        )
    for sec in cert.sections:
        doc.ln(3)
        doc.set_font("Helvetica", "B", 11)
        doc.set_fill_color(230, 230, 230)
        doc.multi_cell(0, 7, _latin1(sec.heading), fill=True, new_x="LMARGIN", new_y="NEXT")
        for label, value in sec.rows:
            doc.set_font("Helvetica", "B", 9)
            doc.multi_cell(0, 5, _latin1(label), new_x="LMARGIN", new_y="NEXT")
            doc.set_font("Helvetica", "", 10)
            doc.multi_cell(0, 5, _latin1(value), new_x="LMARGIN", new_y="NEXT")
    return bytes(doc.output())
