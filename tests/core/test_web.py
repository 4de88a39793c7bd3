"""Web plumbing every area relies on: problem+json errors, security headers, CSRF."""

from __future__ import annotations

import re

from fastapi import FastAPI, Form
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from contactpoint.core.db import transaction
from factories import make_token, make_user

PROBLEM = "application/problem+json"


def test_unknown_api_path_is_a_404_problem(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-thing", headers={"accept": "text/html"})
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM  # never an HTML page under /api
    body = response.json()
    assert body["status"] == 404 and body["title"] == "Not found"


def test_invalid_query_parameter_is_a_422_problem_naming_the_field(
    client: TestClient, app: FastAPI
) -> None:
    with transaction(app.state.session_factory) as s:
        _, token = make_token(s, make_user(s, roles=["auditor"]), ["audit:read"])
    response = client.get(
        "/api/v1/audit/entries?limit=0", headers={"authorization": f"Bearer {token}"}
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    body = response.json()
    assert body["errors"][0]["field"] == "limit"
    assert "limit" in body["detail"]


def test_missing_token_is_a_401_problem(client: TestClient) -> None:
    response = client.get("/api/v1/audit/verify")
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"


def test_security_headers_on_pages_and_api(client: TestClient) -> None:
    for path in ("/no-such-page", "/api/v1/no-such-thing"):
        headers = client.get(path, headers={"accept": "text/html"}).headers
        csp = headers["content-security-policy"]
        assert "frame-ancestors 'none'" in csp and "default-src 'self'" in csp
        assert headers["x-content-type-options"] == "nosniff"
        assert headers["referrer-policy"] == "same-origin"
        assert headers["x-frame-options"] == "DENY"


def _form_app(app: FastAPI) -> FastAPI:
    """A page route that echoes a field, to check the body survives the CSRF check."""

    @app.post("/_test/echo")
    def echo(note: str = Form(...)) -> dict[str, str]:
        return {"note": note}

    @app.post("/api/v1/_test/echo")
    def api_echo() -> dict[str, str]:
        return {"ok": "yes"}

    return app


def test_page_post_without_csrf_token_is_refused(app: FastAPI) -> None:
    client = TestClient(_form_app(app))
    client.get("/no-such-page")  # the visitor has the cookie, but the form lacks the field
    response = client.post("/_test/echo", data={"note": "hi"})
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert "CSRF" in response.json()["detail"]


def test_page_post_with_wrong_token_is_refused(app: FastAPI) -> None:
    client = TestClient(_form_app(app))
    client.get("/no-such-page")
    response = client.post("/_test/echo", data={"csrf_token": "forged", "note": "hi"})
    assert response.status_code == 403


def test_page_post_with_cookie_and_field_passes_and_keeps_the_body(app: FastAPI) -> None:
    client = TestClient(_form_app(app))
    page = client.get("/no-such-page", headers={"accept": "text/html"})
    # Every page carries the cookie's token for htmx (and in each form, as csrf_token).
    found = re.search(r'"X-CSRF-Token": "([^"]+)"', page.text)
    assert found
    token = found.group(1)
    assert client.cookies.get("cp_csrf") == token
    response = client.post("/_test/echo", data={"csrf_token": token, "note": "hi"})
    assert response.status_code == 200, response.text
    assert response.json() == {"note": "hi"}
    # htmx sends the token as a header instead of a field.
    response = client.post(
        "/_test/echo", data={"note": "via htmx"}, headers={"x-csrf-token": token}
    )
    assert response.json() == {"note": "via htmx"}
    # Multipart forms (file uploads) carry it as their first field.
    response = client.post(
        "/_test/echo", data={"csrf_token": token, "note": "file"}, files={"f": ("a.txt", b"x")}
    )
    assert response.json() == {"note": "file"}


def test_api_needs_no_csrf_token(app: FastAPI, db: Session) -> None:
    """The API takes bearer tokens only, never cookies, so CSRF cannot reach it (ADR 0003)."""
    response = TestClient(_form_app(app)).post("/api/v1/_test/echo")
    assert response.status_code == 200
