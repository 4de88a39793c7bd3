"""The public portal through the real app: what a citizen sees, in their language."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from factories import csrf_of

FRAUD = {
    "victim_country": "FR",
    "victim_type": "person",
    "occurred_on": "2026-01-15",
    "description": "J'ai payé 300 euros pour une console jamais livrée.",
    "amount": "300",
    "currency": "EUR",
    "payment_method": "bank-transfer",
    "contact_channel": "marketplace",
    "suspect_identifiers": "FR7630006000011234567890189",
}


def submit(client: TestClient, slug: str, answers: dict[str, str], lang: str = "en"):  # type: ignore[no-untyped-def]
    page = client.get(f"/report/{slug}?lang={lang}")
    assert page.status_code == 200
    return client.post(f"/report/{slug}", data={"csrf_token": csrf_of(page.text), **answers})


def reference_and_secret(html: str) -> tuple[str, str]:
    ref = re.search(r'id="reference">([A-Z]{2}-\d{4}-\d{6})<', html)
    secret = re.search(r'id="status-secret"><code>([A-Z0-9-]+)</code>', html)
    assert ref and secret, html
    return ref.group(1), secret.group(1)


def test_start_page_lists_kinds_and_the_emergency_number(client: TestClient) -> None:
    page = client.get("/report")
    assert page.status_code == 200
    assert "112" in page.text
    for slug in (
        "fraud",
        "phishing",
        "identity-theft",
        "hacking",
        "denial-of-service",
        "csam",
        "terrorist-content",
    ):
        assert f'href="/report/{slug}"' in page.text


def test_pages_are_translated(client: TestClient) -> None:
    assert "Signaler" in client.get("/report?lang=fr").text
    assert "Meldung absenden" in client.get("/report/fraud?lang=de").text
    assert "Wyślij zgłoszenie" in client.get("/report/fraud?lang=pl").text
    assert "Consulte el estado de su denuncia" in client.get("/report?lang=es").text


def test_citizen_files_a_fraud_report_and_checks_its_status(client: TestClient) -> None:
    resp = submit(client, "fraud", FRAUD)
    assert resp.status_code == 200, resp.text
    assert resp.headers["cache-control"] == "no-store"
    reference, secret = reference_and_secret(resp.text)
    assert reference.startswith("FR-")
    assert "bank" in resp.text  # the fraud advice

    page = client.get("/report/status")
    found = client.post(
        "/report/status",
        data={"csrf_token": csrf_of(page.text), "reference": reference.lower(), "secret": secret},
    )
    assert found.status_code == 200
    assert reference in found.text and "Received" in found.text

    wrong = client.post(
        "/report/status",
        data={"csrf_token": csrf_of(page.text), "reference": reference, "secret": "AAAA-BBBB"},
    )
    unknown = client.post(
        "/report/status",
        data={"csrf_token": csrf_of(page.text), "reference": "FR-1999-000001", "secret": secret},
    )
    assert wrong.status_code == unknown.status_code == 404
    assert "We found no report with this reference number and status code" in wrong.text
    assert reference not in wrong.text.replace(f'value="{reference}"', "")


def test_post_without_csrf_is_refused(client: TestClient) -> None:
    client.get("/report/fraud")
    assert client.post("/report/fraud", data=FRAUD).status_code == 403


def test_french_confirmation_has_french_advice(client: TestClient) -> None:
    resp = submit(client, "fraud", FRAUD, lang="fr")
    assert "Merci" in resp.text and "banque" in resp.text


def test_validation_error_names_the_field_and_keeps_answers(client: TestClient) -> None:
    resp = submit(client, "fraud", {**FRAUD, "occurred_on": "2999-01-01"})
    assert resp.status_code == 422
    assert 'id="f-occurred_on-error"' in resp.text
    assert "cannot be in the future" in resp.text
    assert "jamais livrée" in resp.text  # the description is kept
    assert 'value="300"' in resp.text


def test_csam_form_has_no_upload_and_accepts_an_anonymous_report(client: TestClient) -> None:
    page = client.get("/report/csam")
    assert 'type="file"' not in page.text and "multipart" not in page.text
    assert "anonymous" in page.text
    resp = client.post(
        "/report/csam",
        data={
            "csrf_token": csrf_of(page.text),
            "victim_country": "DE",
            "content_url": "https://bad.example/gallery/1",
        },
    )
    assert resp.status_code == 200, resp.text
    reference, _secret = reference_and_secret(resp.text)
    assert reference.startswith("DE-")


def test_unknown_kind_is_not_found(client: TestClient) -> None:
    assert client.get("/report/nonsense", headers={"accept": "text/html"}).status_code == 404


def test_fraud_report_with_a_text_attachment(client: TestClient) -> None:
    page = client.get("/report/fraud")
    resp = client.post(
        "/report/fraud",
        data={"csrf_token": csrf_of(page.text), **FRAUD},
        files={"attachments": ("chat.txt", b"vendeur: payez vite\n", "text/plain")},
    )
    assert resp.status_code == 200, resp.text


def test_disallowed_attachment_is_named_next_to_the_field(client: TestClient) -> None:
    page = client.get("/report/fraud")
    resp = client.post(
        "/report/fraud",
        data={"csrf_token": csrf_of(page.text), **FRAUD},
        files={"attachments": ("x.exe", b"MZ\x90\x00" + b"\x00" * 64, "application/octet-stream")},
    )
    assert resp.status_code == 422
    assert 'id="f-attachments-error"' in resp.text


def test_reports_are_rate_limited_per_address(client: TestClient) -> None:
    from contactpoint.public import ui

    page = client.get("/report/csam")
    data = {
        "csrf_token": csrf_of(page.text),
        "victim_country": "DE",
        "content_url": "https://bad.example/a",
    }
    codes = [
        client.post("/report/csam", data=data).status_code for _ in range(ui.REPORTS_PER_HOUR + 1)
    ]
    assert codes[:-1] == [200] * ui.REPORTS_PER_HOUR
    assert codes[-1] == 429
