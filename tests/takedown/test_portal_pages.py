"""The provider portal through the real app: the operator acknowledges an order and records
its removal; another provider's operator gets 404; buttons go once answered."""

from __future__ import annotations

from notice_helpers import notice_data, world

from contactpoint.core.db import transaction
from contactpoint.takedown import service
from contactpoint.takedown.schemas import NoticeIn
from factories import actor_of, csrf_of, login


def setup(factory, settings):  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        s.info["settings"] = settings  # sign with the app's node key
        w = world(s)
        tco, _ = service.send(s, actor_of(w.police), NoticeIn.model_validate(notice_data()))
        dsa, _ = service.send(
            s,
            actor_of(w.police),
            NoticeIn.model_validate(notice_data("dsa-art16", urls=["https://b.hostco.net/1"])),
        )
        return w.operator.email, w.other_operator.email, str(tco.id), str(dsa.id), tco.reference


def test_operator_acknowledges_and_records_removal(client, factory, settings) -> None:  # type: ignore[no-untyped-def]
    operator, _, tco, dsa, reference = setup(factory, settings)
    login(client, operator)
    home = client.get("/provider")
    assert home.status_code == 200 and reference in home.text
    assert "awaiting receipt" in home.text
    page = client.get(f"/provider/notices/{tco}")
    assert 'id="acknowledge"' in page.text and "TCO Art. 3(3)" in page.text
    r = client.post(
        f"/provider/notices/{tco}/acknowledge",
        data={"csrf_token": csrf_of(page.text)},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/provider/notices/{tco}")
    assert 'id="acknowledge"' not in page.text and "due in 59 min" in page.text
    assert page.text.count("signature valid") == 2
    r = client.post(
        f"/provider/notices/{tco}/action",
        data={"csrf_token": csrf_of(page.text), "action": "refused", "reason": ""},
        follow_redirects=False,
    )
    assert r.status_code == 422 and "a refusal states its reason" in r.text
    r = client.post(
        f"/provider/notices/{tco}/action",
        data={"csrf_token": csrf_of(page.text), "action": "removed", "reason": "Video deleted"},
        follow_redirects=False,
    )
    assert r.status_code == 303
    page = client.get(f"/provider/notices/{tco}")
    assert 'id="record-action"' not in page.text and "removed at" in page.text
    r = client.post(
        f"/provider/notices/{tco}/action",
        data={"csrf_token": csrf_of(page.text), "action": "disabled"},
        follow_redirects=False,
    )
    assert r.status_code == 409 and "already answered" in r.text
    answered = client.get("/provider?view=answered")
    assert reference in answered.text
    assert reference not in client.get("/provider?view=open").text
    # an action with a past time, on the DSA notice
    page = client.get(f"/provider/notices/{dsa}")
    r = client.post(
        f"/provider/notices/{dsa}/action",
        data={
            "csrf_token": csrf_of(page.text),
            "action": "disabled",
            "acted_at": "2001-01-01T00:00",
        },
        follow_redirects=False,
    )
    assert r.status_code == 422 and "before the notice was sent" in r.text


def test_another_provider_sees_nothing(client, factory, settings) -> None:  # type: ignore[no-untyped-def]
    _, other, tco, _, reference = setup(factory, settings)
    login(client, other)
    assert reference not in client.get("/provider").text
    assert client.get(f"/provider/notices/{tco}").status_code == 404
    assert client.get(f"/takedown/notices/{tco}").status_code == 404
