"""The cooperation pages through the real app: form, inbox, steps, certificate, directory."""

from __future__ import annotations

import re

from fastapi.testclient import TestClient

from contactpoint.core.db import transaction
from factories import ART29_FIELDS, coop_pair, csrf_of, login, make_org, make_user, post_form


def users(factory):  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        fr, de = coop_pair(s)
        nl = make_user(s, make_org(s, country="NL"), ["contact-point-officer"])
        return fr.email, de.email, nl.email


def send_art29(client: TestClient, **drop: str) -> object:
    page = "/cooperation/new?receiving_country=DE&type_code=preservation-mla"
    data = {
        "type_code": "preservation-mla",
        "receiving_country": "DE",
        "subject": "Fake shop",
        "action": "send",
    }
    data |= {f"field_{k}": v for k, v in ART29_FIELDS.items() if k not in drop}
    return post_form(client, page, "/cooperation/new", data)


def test_officers_send_and_answer_through_the_pages(app, factory) -> None:  # type: ignore[no-untyped-def]
    fr, de, nl = users(factory)
    with TestClient(app) as a, TestClient(app) as b, TestClient(app) as c:
        login(a, fr)
        form = a.get("/cooperation/new?receiving_country=DE&type_code=preservation-mla").text
        assert "ETS 185 Art. 29(2)(f)" in form and "source: ETS 185 Art. 29" in form
        assert "both Parties to the Budapest Convention" in form
        r = send_art29(a)
        assert r.status_code == 303, r.text
        url = r.headers["location"]
        login(b, de)
        inbox = b.get("/cooperation").text
        assert "Fake shop" in inbox and "running" in inbox
        for step, text in [("acknowledge", "Preserving today"), ("clarification", "Which shop?")]:
            r = post_form(b, url, f"{url}/{step}", {"text": text})
            assert r.status_code == 303, r.text
        r = post_form(a, url, f"{url}/clarification-answer", {"text": "shop-4711"})
        assert r.status_code == 303
        r = post_form(b, url, f"{url}/answer", {"text": "Preserved."})
        assert r.status_code == 303
        page_a, page_b = a.get(url).text, b.get(url).text
        timeline = re.compile(r'<section class="card" id="timeline">.*?</section>', re.S)
        assert timeline.search(page_a).group(0) == timeline.search(page_b).group(0)
        assert "source: ETS 185 Art. 29(7)" in page_b
        r = post_form(b, url, f"{url}/acknowledge", {"text": "again"})
        assert r.status_code == 409 and "already answered" in r.text
        login(c, nl)
        assert c.get(url).status_code == 404
        cert = a.get(url + "/certificate").text
        assert "Why preservation is necessary [ETS 185 Art. 29(2)(e)]" in cert
        assert a.get(url + "/certificate.pdf").content.startswith(b"%PDF")


def test_a_missing_field_is_named_on_the_form_and_nothing_is_saved(app, factory) -> None:  # type: ignore[no-untyped-def]
    fr, _de, _nl = users(factory)
    with TestClient(app) as a:
        login(a, fr)
        r = send_art29(a, mla_intent="")
        assert r.status_code == 422
        assert "required by ETS 185 Art. 29(2)(f)" in r.text
        assert "Fake shop" not in a.get("/cooperation?view=sent").text


def test_directory_edit_by_an_officer(app, factory) -> None:  # type: ignore[no-untyped-def]
    fr, _de, _nl = users(factory)
    with TestClient(app) as a:
        login(a, fr)
        page = a.get("/cooperation/directory")
        assert "IE" in page.text and "signed" in page.text
        form = a.get("/cooperation/directory/PT").text
        r = a.post(
            "/cooperation/directory/PT",
            data={
                "csrf_token": csrf_of(form),
                "name": "Portugal",
                "eu_member": "yes",
                "eevidence_bound": "yes",
                "ets185": "party",
                "ets185_date": "2010-03-24",
                "cets224": "none",
                "contact_24_7": "PJ 24/7 desk",
            },
            follow_redirects=False,
        )
        assert r.status_code == 303, r.text
        assert "PJ 24/7 desk" in a.get("/cooperation/directory").text
        r = a.post(
            "/cooperation/directory/PT",
            data={"csrf_token": csrf_of(form), "name": "Portugal", "ets185_date": "24/03/2010"},
        )
        assert r.status_code == 422 and "expected a date YYYY-MM-DD" in r.text
