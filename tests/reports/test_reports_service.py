"""Service rules the API tests do not reach: citizen intake, status lookup, references,
language detection, attachments on disk, CSAM rules."""

from __future__ import annotations

import re
import threading
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core.actor import PUBLIC
from contactpoint.core.config import Settings
from contactpoint.core.db import transaction
from contactpoint.core.errors import InvalidInput, NotFound, TooLarge
from contactpoint.indicators import service as indicators
from contactpoint.reports import language, service, storage, triage
from contactpoint.reports.models import Report, Source, Status
from contactpoint.reports.schemas import AttachmentIn, ReportFilter, ReportIn, TriageIn
from factories import actor_of, make_org, make_user, report_data

PDF = b"%PDF-1.4\n%test\n"
EML = (
    b'Received: from mx.example.net\r\nFrom: "Bank" <no-reply@bank.example>\r\n'
    b"Subject: verify your account\r\n\r\nClick here.\r\n"
)


def citizen(session: Session, settings: Settings, **kw: object):  # type: ignore[no-untyped-def]
    session.info["settings"] = settings
    attachments = kw.pop("attachments", [])
    data = ReportIn.model_validate(report_data(**kw))
    return service.submit(session, PUBLIC, data, source=Source.CITIZEN, attachments=attachments)  # type: ignore[arg-type]


def test_citizen_report_goes_to_the_national_contact_point(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as s:
        fr = make_org(s, "OFAC", "law-enforcement", "FR")
        other = make_org(s, "BKA", "law-enforcement", "DE")
        analyst = actor_of(make_user(s, fr, ["analyst"]))
        german = actor_of(make_user(s, other, ["analyst"]))
        result = citizen(
            s,
            settings,
            reporter_email="jean@example.fr",
            contact_consent=True,
            attachments=[AttachmentIn("mail.eml", EML), AttachmentIn("f.pdf", PDF)],
        )
    assert result.created and result.status_secret
    assert re.fullmatch(r"[A-Z2-9]{4}(-[A-Z2-9]{4}){3}", result.status_secret)
    assert re.fullmatch(r"FR-\d{4}-000001", result.report.reference)
    with transaction(factory) as s:
        report = service.find_by_reference(s, analyst, result.report.reference.lower())
        assert report.owner_org_id == fr.id and report.source is Source.CITIZEN
        assert [a.content_type for a in report.attachments] == ["message/rfc822", "application/pdf"]
        path = storage.path_for(settings.var_dir / "attachments", report.attachments[1].sha256)
        assert path.read_bytes() == PDF
        assert report.status_secret_hash and result.status_secret not in report.status_secret_hash
        with pytest.raises(NotFound):
            service.find_by_reference(s, german, result.report.reference)


def test_public_status_needs_reference_and_secret(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as s:
        make_org(s, "OFAC", "law-enforcement", "FR")
        result = citizen(s, settings)
        ref, secret = result.report.reference, result.status_secret
        assert secret
    with transaction(factory) as s:
        status = service.public_status(s, ref, secret.lower().replace("-", " "))
        assert status.status is Status.NEW and status.reference == ref
        for bad_ref, bad_secret in [
            (ref, "AAAA-BBBB-CCCC-DDDD"),
            ("FR-2026-999999", secret),
            (ref, ""),
        ]:
            with pytest.raises(NotFound) as exc:
                service.public_status(s, bad_ref, bad_secret)
            assert exc.value.detail == "no report matches this reference and secret"


def test_csam_reports_take_no_files_and_may_be_anonymous(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as s:
        make_org(s, "OFAC", "law-enforcement", "FR")
        with pytest.raises(InvalidInput) as exc:
            citizen(
                s,
                settings,
                crime_kind="csam",
                anonymous=True,
                loss_amount=None,
                loss_currency=None,
                attachments=[AttachmentIn("x.png", b"\x89PNG\r\n\x1a\n")],
            )
        assert exc.value.errors[0]["field"] == "attachments"
        ok = citizen(
            s, settings, crime_kind="csam", anonymous=True, loss_amount=None, loss_currency=None
        )
        assert ok.report.anonymous and ok.report.offence == "d2011-93-art5"
    assert not (settings.var_dir / "attachments").exists()


def test_bad_attachments_save_nothing(factory: sessionmaker[Session], settings: Settings) -> None:
    with transaction(factory) as s:
        make_org(s, "OFAC", "law-enforcement", "FR")
    for att, error in [
        (AttachmentIn("a.exe", b"MZ\x90\x00"), InvalidInput),
        (AttachmentIn("b.txt", b"a" * (10 * 2**20 + 1)), TooLarge),
    ]:
        with pytest.raises(error), transaction(factory) as s:
            citizen(s, settings, attachments=[AttachmentIn("ok.pdf", PDF), att])
    with transaction(factory) as s:
        assert s.scalars(select(Report)).first() is None


def test_language_is_detected() -> None:
    assert (
        language.detect_language(
            "Ich habe im Internet ein Auto gekauft und nie bekommen, "
            "der Verkäufer antwortet nicht mehr."
        )
        == "de"
    )
    assert (
        language.detect_language(
            "Ho pagato un telefono su un sito di annunci ma non è mai arrivato."
        )
        == "it"
    )
    assert language.detect_language("short") is None


def test_languages_told_together_are_those_told_one_by_one() -> None:
    texts = [
        "Ich habe im Internet ein Auto gekauft und nie bekommen, der Verkäufer schweigt.",
        "short",
        "Paid https://shop.example.org 300 EUR and https://pay.example.net asked for more",
        "Ho pagato un telefono su un sito di annunci ma non è mai arrivato.",
    ]
    items = [(t, indicators.prepare(t)[1]) for t in texts]
    told = language.detect_languages(items)
    assert told == [language.detect_language(t, found) for t, found in items]
    assert told[0] == "de" and told[1] is None and told[3] == "it"


def test_references_count_per_country_and_year(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    with transaction(factory) as s:
        refs = [
            citizen(s, settings, victim_country=c).report.reference
            for c in ("FR", "FR", "DE", "FR")
        ]
    assert [r.split("-")[0] + r.split("-")[2] for r in refs] == [
        "FR000001",
        "FR000002",
        "DE000001",
        "FR000003",
    ]


def test_concurrent_intake_never_shares_a_reference(
    factory: sessionmaker[Session], settings: Settings
) -> None:
    refs: list[str] = []
    errors: list[BaseException] = []

    def worker() -> None:
        try:
            for _ in range(5):
                with transaction(factory) as s:
                    refs.append(citizen(s, settings).report.reference)
        except BaseException as exc:  # surfaced below
            errors.append(exc)

    threads = [threading.Thread(target=worker) for _ in range(4)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert not errors
    assert len(refs) == 20 and len(set(refs)) == 20


def test_triage_rules(factory: sessionmaker[Session], settings: Settings) -> None:
    with transaction(factory) as s:
        fr = make_org(s, "OFAC", "law-enforcement", "FR")
        elsewhere = make_org(s, "Elsewhere", "bank", "FR")
        analyst = actor_of(make_user(s, fr, ["analyst"]))
        outsider = make_user(s, elsewhere, ["analyst"])
        rid = citizen(s, settings).report.id
        with pytest.raises(InvalidInput) as exc:
            triage.triage(s, analyst, rid, TriageIn(assigned_to_id=outsider.id))
        assert exc.value.errors[0]["field"] == "assigned_to_id"
        # A new category drops an incident type that does not belong to it.
        report = triage.triage(
            s, analyst, rid, TriageIn(category="network-crime", status=Status.TRIAGED)
        )
        assert report.incident_type is None and report.status is Status.TRIAGED
        report = triage.triage(s, analyst, rid, TriageIn(tlp="GREEN", handling_code="H2"))
        assert report.tlp.value == "GREEN"
        page = service.list_reports(s, analyst, ReportFilter(status=Status.TRIAGED))
        assert [r.id for r in page.items] == [rid]
        assert service.count_reports(s, analyst, ReportFilter(status=Status.CLOSED)) == 0


def test_stored_files_are_content_addressed(tmp_path: Path) -> None:
    sha = storage.store(tmp_path, PDF)
    assert storage.store(tmp_path, PDF) == sha
    assert storage.path_for(tmp_path, sha) == tmp_path / sha[:2] / sha[2:4] / sha
    assert storage.sniff(b"GIF89a...") == "image/gif"
    assert storage.sniff(b"plain words\n") == "text/plain"
    assert storage.sniff(b"\x00\x01binary") is None
