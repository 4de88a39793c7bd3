"""A provider that is not on the platform: the notice goes by e-mail (a real local SMTP
server) to its TCO point of contact, and the sender records its answer on its behalf."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller
from notice_helpers import make_provider, notice_data, world

from contactpoint.core.errors import NotFound
from contactpoint.takedown import service
from contactpoint.takedown.directory_models import Provider
from contactpoint.takedown.models import NoticeStatus
from contactpoint.takedown.schemas import NoticeIn
from factories import actor_of


class Inbox:
    def __init__(self) -> None:
        self.messages: list[tuple[list[str], bytes]] = []

    async def handle_DATA(self, server, session, envelope):  # type: ignore[no-untyped-def]
        self.messages.append((list(envelope.rcpt_tos), envelope.content))
        return "250 OK"


@pytest.fixture
def smtp() -> Iterator[tuple[Inbox, int]]:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    inbox = Inbox()
    controller = Controller(inbox, hostname="127.0.0.1", port=port)
    controller.start()
    yield inbox, port
    controller.stop()


def offline(db) -> Provider:  # type: ignore[no-untyped-def]
    p = make_provider(db, "Offline Host", "offline-host.com", None, "RO")
    p.tco_contact, p.abuse_email = "tco@offline-host.com", "abuse@offline-host.com"
    db.flush()
    return p


def test_the_order_is_mailed_to_the_tco_contact(db, settings, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    db.info["settings"] = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "cp@node.example"}
    )
    w = world(db)
    offline(db)
    data = notice_data(urls=["https://cdn.offline-host.com/v/9.mp4"])
    notice, _ = service.send(db, actor_of(w.police), NoticeIn.model_validate(data))
    assert [e.kind for e in notice.events] == ["sent", "emailed"]
    assert notice.events[1].detail == {"to": "tco@offline-host.com"}
    ((to, raw),) = inbox.messages
    mail = message_from_bytes(raw, policy=policy.default)
    assert to == ["tco@offline-host.com"] and mail["Subject"].startswith(notice.reference)
    body = mail.get_content()
    assert "https://cdn.offline-host.com/v/9.mp4" in body and "TCO Art. 3(3)" in body
    assert notice.content_sha256 in body


def test_the_sender_records_the_answer_on_the_providers_behalf(db, settings) -> None:  # type: ignore[no-untyped-def]
    db.info["settings"] = settings  # no SMTP
    w = world(db)
    offline(db)
    data = notice_data("dsa-art16", urls=["https://offline-host.com/phish"])
    notice, _ = service.send(db, actor_of(w.police), NoticeIn.model_validate(data))
    assert notice.events[1].kind == "not-delivered"
    assert "SMTP is not configured" in str(notice.events[1].detail["reason"])
    with pytest.raises(NotFound):  # another organisation does not even see it
        service.acknowledge(db, actor_of(w.hotline), notice.id)
    service.acknowledge(db, actor_of(w.police), notice.id)
    service.act(db, actor_of(w.police), notice.id, "removed", "Confirmed by phone")
    assert notice.status is NoticeStatus.REMOVED
    assert notice.events[-1].detail["on_behalf_of"] == "Offline Host"
    assert notice.events[-2].kind == "received" and notice.events[-2].signature
