"""Staff pages for notices through the real app (TestClient), on both databases."""

from __future__ import annotations

from notice_helpers import TCO_FIELDS, world

from contactpoint.core.db import transaction
from factories import actor_of, csrf_of, login, make_report


def setup(factory):  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        w = world(s)
        report = make_report(
            s,
            actor_of(w.police),
            crime_kind="terrorist-content",
            description="A video glorifying the attack is at https://files.hostco.net/v/attack.mp4 "
            "and copies elsewhere.",
            suspect_identifiers=[],
            loss_amount=None,
            loss_currency=None,
            payment_method=None,
        )
        return w.police.email, w.operator.email, w.other_operator.email, str(report.id)


def test_send_a_tco_order_from_a_report_and_follow_it(client, factory) -> None:  # type: ignore[no-untyped-def]
    police, _, _, report_id = setup(factory)
    login(client, police)
    report_page = client.get(f"/reports/{report_id}")
    assert f'href="/takedown/new?report_id={report_id}"' in report_page.text
    page = client.get(f"/takedown/new?kind=tco-removal-order&report_id={report_id}")
    assert page.status_code == 200
    assert "https://files.hostco.net/v/attack.mp4" in page.text  # from the report's URLs
    assert 'value="terrorist-content" selected' in page.text
    assert "TCO Annex I section A" in page.text and "1.0 h from receipt" in page.text
    form = {
        "csrf_token": csrf_of(page.text),
        "kind": "tco-removal-order",
        "urls": "https://files.hostco.net/v/attack.mp4",
        "category": "terrorist-content",
        "report_id": report_id,
        **{f"field_{k}": v for k, v in TCO_FIELDS.items() if k != "reasons"},
    }
    r = client.post("/takedown/new", data=form, follow_redirects=False)
    assert r.status_code == 422
    assert "required by TCO Art. 3(4)(b)" in r.text and 'id="err-fields-reasons"' in r.text
    form["field_reasons"] = TCO_FIELDS["reasons"]
    form["urls"] = "https://172.16.0.9/x"
    r = client.post("/takedown/new", data=form, follow_redirects=False)
    assert r.status_code == 422 and "private" in r.text
    form["urls"] = "https://files.hostco.net/v/attack.mp4"
    r = client.post("/takedown/new", data=form, follow_redirects=False)
    assert r.status_code == 303, r.text
    detail = client.get(r.headers["location"])
    assert "awaiting receipt" in detail.text and "signature valid" in detail.text
    assert 'data-kind="sent"' in detail.text and "domain hostco.net" in detail.text
    assert 'id="pause"' not in detail.text  # the clock has not started
    listing = client.get("/takedown?view=awaiting")
    assert "TD-FR-" in listing.text and "Awaiting receipt (1)" in listing.text
    assert client.get("/takedown?view=overdue").text.count("data-reference=") == 0


def test_withdraw_from_the_notice_page(client, factory) -> None:  # type: ignore[no-untyped-def]
    police, *_ = setup(factory)
    login(client, police)
    page = client.get("/takedown/new?kind=voluntary-referral&url=https://x.hostco.net/p")
    assert "https://x.hostco.net/p" in page.text and "a target, not a legal deadline" in page.text
    r = client.post(
        "/takedown/new",
        data={
            "csrf_token": csrf_of(page.text),
            "kind": "voluntary-referral",
            "urls": "https://x.hostco.net/p",
            "category": "terrorist-content",
            "field_reasons": "Propaganda against the host's terms.",
        },
        follow_redirects=False,
    )
    url = r.headers["location"]
    page = client.get(url)
    assert "due in 2 d 23 h" in page.text or "due in 3 d" in page.text
    r = client.post(
        url + "/withdraw",
        data={"csrf_token": csrf_of(page.text), "reason": "x"},
        follow_redirects=False,
    )
    assert r.status_code == 422 and "state the reason" in r.text
    r = client.post(
        url + "/withdraw",
        data={"csrf_token": csrf_of(page.text), "reason": "Sent to the wrong host"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(url)
    assert 'data-kind="withdrawn"' in page.text and 'id="withdraw"' not in page.text


def test_provider_operators_are_sent_to_their_portal(client, factory) -> None:  # type: ignore[no-untyped-def]
    _, operator, *_ = setup(factory)
    login(client, operator)
    r = client.get("/takedown", follow_redirects=False)
    assert r.status_code == 303 and r.headers["location"] == "/provider"
    assert client.get("/takedown/new").status_code == 403


def test_sender_records_the_answer_of_a_provider_not_on_the_platform(client, factory) -> None:  # type: ignore[no-untyped-def]
    from notice_helpers import make_provider

    police, *_ = setup(factory)
    with transaction(factory) as s:
        make_provider(s, "Offline Host", "offline-host.com", None, "RO")
    login(client, police)
    page = client.get("/takedown/new?kind=voluntary-referral&url=https://offline-host.com/p")
    r = client.post(
        "/takedown/new",
        data={
            "csrf_token": csrf_of(page.text),
            "kind": "voluntary-referral",
            "urls": "https://offline-host.com/p",
            "category": "terrorist-content",
            "field_reasons": "Propaganda against the host's terms.",
        },
        follow_redirects=False,
    )
    url = r.headers["location"]
    page = client.get(url)
    assert 'id="provider-answer"' in page.text and 'data-kind="not-delivered"' in page.text
    r = client.post(url + "/acknowledge", data={"csrf_token": csrf_of(page.text)})
    assert r.status_code == 200  # followed the redirect
    r = client.post(
        url + "/action",
        data={"csrf_token": csrf_of(page.text), "action": "removed", "reason": "Said by phone"},
    )
    assert "on behalf of: Offline Host" in r.text and 'id="provider-answer"' not in r.text
