"""The notices API through the real app, on both databases: problem JSON with the field and
the article, 409 on a second action, 404 for other providers, signed timestamps."""

from __future__ import annotations

import base64

from notice_helpers import TCO_FIELDS, notice_data, world

from contactpoint.core import signing
from contactpoint.core.db import transaction
from contactpoint.takedown import timestamps
from factories import bearer, make_token

URL = "/api/v1/takedown/notices"


def setup(factory):  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        w = world(s)
        police = make_token(s, w.police, ["takedown:manage"])[1]
        hotline = make_token(s, w.hotline, ["takedown:manage"])[1]
        op = make_token(s, w.operator, ["takedown:respond"])[1]
        other = make_token(s, w.other_operator, ["takedown:respond"])[1]
        provider_id = str(w.provider.id)
    return police, hotline, op, other, provider_id


def test_tco_order_lifecycle_over_the_api(client, factory) -> None:  # type: ignore[no-untyped-def]
    police, hotline, op, other, provider_id = setup(factory)
    fields = {k: v for k, v in TCO_FIELDS.items() if k != "redress"}
    r = client.post(URL, json=notice_data(fields=fields), headers=bearer(police))
    assert r.status_code == 422 and r.headers["content-type"] == "application/problem+json"
    assert r.json()["errors"] == [
        {
            "field": "fields.redress",
            "message": "Information on redress for the provider and the content provider: "
            "required by TCO Art. 3(4)(g); Annex I section G",
        }
    ]
    r = client.post(URL, json=notice_data(), headers=bearer(hotline))
    assert r.status_code == 403 and "TCO" in r.json()["detail"]
    r = client.post(URL, json=notice_data(urls=["https://192.168.1.5/a"]), headers=bearer(police))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "urls[0]"

    r = client.post(URL, json=notice_data(external_id="x-1"), headers=bearer(police))
    assert r.status_code == 201, r.text
    n = r.json()
    assert n["provider_id"] == provider_id and n["clock"]["state"] == "awaiting receipt"
    again = client.post(URL, json=notice_data(external_id="x-1"), headers=bearer(police))
    assert again.status_code == 200 and again.json()["id"] == n["id"]
    one = f"{URL}/{n['id']}"

    assert client.get(one, headers=bearer(other)).status_code == 404
    assert client.post(one + "/acknowledge", headers=bearer(other)).status_code == 404
    assert client.get(URL, headers=bearer(other)).json()["items"] == []
    listed = client.get(URL + "?box=received", headers=bearer(op)).json()["items"]
    assert [i["reference"] for i in listed] == [n["reference"]]

    r = client.post(one + "/acknowledge", headers=bearer(op))
    assert r.status_code == 200 and r.json()["clock"]["state"] == "running"
    assert r.json()["clock"]["text"].startswith("due in ")
    assert client.post(one + "/acknowledge", headers=bearer(op)).status_code == 409
    r = client.post(one + "/pause", json={"reason": "Clarification asked"}, headers=bearer(police))
    assert r.status_code == 200 and r.json()["clock"]["state"] == "paused"
    r = client.post(one + "/resume", json={"reason": "Clarified"}, headers=bearer(police))
    assert r.json()["clock"]["state"] == "running"
    r = client.post(one + "/action", json={"action": "refused"}, headers=bearer(op))
    assert r.status_code == 422 and r.json()["errors"][0]["field"] == "reason"
    r = client.post(one + "/action", json={"action": "removed"}, headers=bearer(op))
    assert r.status_code == 200 and r.json()["status"] == "removed"
    assert r.json()["clock"]["state"] == "met"
    r = client.post(one + "/action", json={"action": "disabled"}, headers=bearer(op))
    assert r.status_code == 409 and "already answered" in r.json()["detail"]
    kinds = [e["kind"] for e in client.get(one + "/events", headers=bearer(op)).json()]
    assert kinds == ["sent", "received", "paused", "resumed", "acted"]

    stamps = client.get(one + "/timestamps", headers=bearer(op)).json()
    assert [t["event"] for t in stamps["timestamps"]] == ["sent", "received"]
    pem = stamps["public_key_pem"].encode()
    for t in stamps["timestamps"]:
        assert t["valid"]
        raw = base64.b64decode(t["signature"])
        assert signing.verify(pem, t["payload"].encode(), raw)
        forged = timestamps.payload(
            t["reference"], t["event"], "2020-01-01T00:00:00.000000+00:00", t["content_sha256"]
        )
        assert not signing.verify(pem, forged, raw)

    overdue = client.get(URL + "?overdue=true", headers=bearer(police)).json()["items"]
    assert overdue == []
    by_status = client.get(URL + "?status=removed&kind=tco-removal-order", headers=bearer(police))
    assert [i["id"] for i in by_status.json()["items"]] == [n["id"]]
    assert client.get(URL + "?status=nonsense", headers=bearer(police)).status_code == 422


def test_withdrawn_notice_cannot_be_acted_on(client, factory) -> None:  # type: ignore[no-untyped-def]
    police, _, op, _, _ = setup(factory)
    n = client.post(URL, json=notice_data("dsa-art16"), headers=bearer(police)).json()
    one = f"{URL}/{n['id']}"
    r = client.post(one + "/pause", json={"reason": "force majeure"}, headers=bearer(police))
    assert r.status_code == 422  # a DSA notice has no pausable clock
    r = client.post(one + "/withdraw", json={"reason": "Sent in error"}, headers=bearer(police))
    assert r.json()["status"] == "withdrawn"
    r = client.post(one + "/action", json={"action": "removed"}, headers=bearer(op))
    assert r.status_code == 409
    kinds = client.get(URL.rsplit("/", 1)[0] + "/kinds", headers=bearer(op)).json()
    assert {k["code"] for k in kinds} == {
        "dsa-art16",
        "tco-removal-order",
        "voluntary-referral",
        "hotline-ntd",
    }
