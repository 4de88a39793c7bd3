"""The bulk fast path stores each row as `service.submit` would: the same columns, card
redaction, language, encrypted contact details, recipients, full-text index, indicator links
and counts; plus reference blocks, duplicates inside one file, and one audit entry per batch."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import Text, select, type_coerce
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core.access import Recipient
from contactpoint.core.actor import Actor
from contactpoint.core.audit import AuditEntry
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.indicators.models import Indicator, ReportIndicator
from contactpoint.reports import search
from contactpoint.reports.bulk import import_file
from contactpoint.reports.models import Report
from factories import actor_of, make_org, make_report, make_user, report_data

TEXT = (
    "My card 4111 1111 1111 1111 was charged by hxxps://evil-shop[.]xyz/pay after a call "
    "from +33 6 12 34 56 78; the seller wrote from vendeur@arnaque-boutique.fr."
)
COLUMNS = (
    "tlp",
    "pap",
    "crime_kind",
    "category",
    "incident_type",
    "offence",
    "victim_country",
    "victim_type",
    "occurred_at",
    "description",
    "language",
    "loss_amount",
    "loss_currency",
    "payment_method",
    "suspect_identifiers",
    "contact_consent",
    "share_with_other_authorities",
    "anonymous",
    "status",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
)


@pytest.fixture
def orgs(factory: sessionmaker[Session]) -> dict[str, Actor]:
    with transaction(factory) as s:
        bank = make_org(s, "Bank A", "bank", "FR")
        api = make_org(s, "Bank B", "bank", "FR")
        make_org(s, "Police FR", "law-enforcement", "FR")
        return {
            "bank": actor_of(make_user(s, bank, ["bank-operator"])),
            "api": actor_of(make_user(s, api, ["bank-operator"])),
        }


def body(**kw: Any) -> dict[str, Any]:
    return report_data(
        description=TEXT,
        reporter_name="Marie Dupont",
        reporter_email="marie@example.fr",
        contact_consent=True,
        suspect_identifiers=[
            {"type": "iban", "value": "FR7630006000011234567890189"},
            {"type": "card", "value": "5555 5555 5555 4444"},
        ],
        **kw,
    )


def write(path: Path, rows: list[dict[str, Any]]) -> Path:
    path.write_text("".join(json.dumps(r) + "\n" for r in rows), encoding="utf-8")
    return path


def links_of(s: Session, report: Report) -> set[tuple[Any, ...]]:
    rows = s.execute(
        select(
            Indicator.type,
            Indicator.lookup_key,
            ReportIndicator.field,
            ReportIndicator.start,
            ReportIndicator.end,
        )
        .join(Indicator, Indicator.id == ReportIndicator.indicator_id)
        .where(ReportIndicator.report_id == report.id)
    )
    return {tuple(r) for r in rows}


@pytest.mark.parametrize("workers", [0, 2])
def test_a_bulk_row_is_stored_as_the_api_stores_it(
    workers: int,
    tmp_path: Path,
    factory: sessionmaker[Session],
    settings: Settings,
    orgs: dict[str, Actor],
) -> None:
    with transaction(factory) as s:
        via_api = make_report(s, orgs["api"], **body(external_id="api-1"))
    path = write(tmp_path / "one.jsonl", [body(external_id="bulk-1")])
    summary = import_file(factory, settings, orgs["bank"], path, workers=workers)
    assert (summary.accepted, summary.rejected) == (1, 0)
    with transaction(factory) as s:
        api_row = s.get(Report, via_api.id)
        bulk_row = s.scalars(select(Report).where(Report.external_id == "bulk-1")).one()
        assert api_row is not None
        for name in COLUMNS:
            assert getattr(bulk_row, name) == getattr(api_row, name), name
        assert "4111 1111 1111 1111" not in bulk_row.description
        assert "4111" in bulk_row.description  # BIN…last4 stays readable
        assert bulk_row.reporter_email == "marie@example.fr"  # decrypts
        stored = s.execute(
            select(type_coerce(Report.__table__.c.reporter_email, Text)).where(
                Report.id == bulk_row.id
            )
        ).scalar_one()
        assert stored != "marie@example.fr"  # encrypted at rest
        assert bulk_row.source.value == "bulk_file"
        assert bulk_row.owner_org_id == orgs["bank"].org_id
        assert bulk_row.reference.startswith("FR-")
        police = {
            r.org_id for r in s.scalars(select(Recipient).where(Recipient.object_id == bulk_row.id))
        }
        assert len(police) == 1 and orgs["bank"].org_id not in police
        assert links_of(s, bulk_row) == links_of(s, api_row)
        assert {t for t, *_ in links_of(s, bulk_row)} >= {"card", "url", "phone", "iban"}
        counts = {
            i.type: i.report_count
            for i in s.scalars(
                select(Indicator)
                .join(ReportIndicator, ReportIndicator.indicator_id == Indicator.id)
                .where(ReportIndicator.report_id == bulk_row.id)
            )
        }
        assert counts["iban"] == 2 and counts["phone"] == 2
        found = s.scalars(select(Report.id).where(search.matches(s, "charged seller"))).all()
        assert bulk_row.id in found


def test_references_in_blocks_duplicates_in_one_file_and_audit_per_batch(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, orgs: dict[str, Actor]
) -> None:
    rows = []
    for i in range(1, 12):
        country = "FR" if i % 3 else "DE"
        rows.append(report_data(external_id=f"e{i}", victim_country=country))
    rows.append(report_data(external_id="e2"))  # line 12: the same id as line 2
    path = write(tmp_path / "many.jsonl", rows)
    summary = import_file(factory, settings, orgs["bank"], path, batch_size=5, workers=0)
    assert (summary.accepted, summary.duplicates, summary.rejected) == (11, 1, 0)
    with transaction(factory) as s:
        refs = list(s.scalars(select(Report.reference)))
        batches = [
            e.details
            for e in s.scalars(
                select(AuditEntry)
                .where(AuditEntry.action == "report.import.batch")
                .order_by(AuditEntry.seq)
            )
        ]
        per_row = s.scalars(select(AuditEntry).where(AuditEntry.action == "report.submit")).all()
    assert len(refs) == len(set(refs)) == 11
    fr = sorted(r for r in refs if r.startswith("FR-"))
    de = sorted(r for r in refs if r.startswith("DE-"))
    assert [int(r[-6:]) for r in fr] == list(range(1, len(fr) + 1))  # no gaps, no repeats
    assert [int(r[-6:]) for r in de] == list(range(1, len(de) + 1))
    assert [(b["accepted"], b["first_line"], b["last_line"]) for b in batches] == [
        (5, 1, 5),
        (5, 6, 10),
        (1, 11, 11),  # line 12 was a duplicate
    ]
    assert per_row == []


def indicator_rows(s: Session) -> dict[tuple[str, str], tuple[int, Any, Any]]:
    return {
        (i.type, i.lookup_key): (i.report_count, i.first_seen, i.last_seen)
        for i in s.scalars(select(Indicator))
    }


def test_indicators_met_in_an_earlier_batch_are_updated_by_id(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, orgs: dict[str, Actor]
) -> None:
    """Later batches update the records the import met before (its cache) instead of
    upserting them: counts, first and last seen come out as the upsert makes them."""
    with transaction(factory) as s:
        make_report(s, orgs["api"], **body(external_id="api-1"))
    with transaction(factory) as s:
        before = indicator_rows(s)
    path = write(tmp_path / "same.jsonl", [body(external_id=f"b{i}") for i in range(7)])
    seen: list[int] = []
    summary = import_file(
        factory, settings, orgs["bank"], path, batch_size=2, workers=0, after_commit=seen.append
    )
    assert (summary.accepted, seen) == (7, [2, 4, 6, 7])
    with transaction(factory) as s:
        after = indicator_rows(s)
        last_batch = max(r.created_at for r in s.scalars(select(Report)))
    assert after.keys() == before.keys()
    for key, (count, first, last) in after.items():
        assert count == before[key][0] + 7, key
        assert first == before[key][1], key  # the API report's time: still the earliest
        assert last == last_batch and last > first, key


def test_an_indicator_deleted_during_the_import_is_made_again(
    tmp_path: Path, factory: sessionmaker[Session], settings: Settings, orgs: dict[str, Actor]
) -> None:
    """The import's cache of indicators may go stale: a record deleted between batches
    (by an operator's purge) is upserted again, not updated in vain."""
    path = write(tmp_path / "same.jsonl", [body(external_id=f"b{i}") for i in range(4)])

    def purge_the_iban(line: int) -> None:
        if line != 2:
            return
        with transaction(factory) as s:
            iban = s.scalars(select(Indicator).where(Indicator.type == "iban")).one()
            s.execute(
                ReportIndicator.__table__.delete().where(ReportIndicator.indicator_id == iban.id)
            )
            s.delete(iban)

    summary = import_file(
        factory, settings, orgs["bank"], path, batch_size=2, workers=0, after_commit=purge_the_iban
    )
    assert summary.accepted == 4
    with transaction(factory) as s:
        counts = {k[0]: v[0] for k, v in indicator_rows(s).items()}
        held = s.scalars(
            select(ReportIndicator.report_id)
            .join(Indicator, Indicator.id == ReportIndicator.indicator_id)
            .where(Indicator.type == "iban")
        ).all()
    assert counts["iban"] == 2 and len(set(held)) == 2  # the second batch's two reports
    assert counts["phone"] == 4
