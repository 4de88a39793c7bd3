"""E-mail notifications through a real local SMTP server (aiosmtpd)."""

from __future__ import annotations

import socket
from collections.abc import Iterator
from datetime import timedelta
from email import message_from_bytes, policy

import pytest
from aiosmtpd.controller import Controller

from contactpoint.cooperation import escalation, service
from contactpoint.core import notify
from contactpoint.core.db import utcnow
from factories import actor_of, coop_pair, make_coop_request, make_user


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


def test_overdue_request_mails_the_supervisors(db, settings, smtp) -> None:  # type: ignore[no-untyped-def]
    inbox, port = smtp
    fr, de = coop_pair(db)
    boss = make_user(db, de.organisation, ["admin"], email="boss@bka.example")
    fields = {"requesting_authority": "a", "facts": "b", "assistance_sought": "c", "urgency": "d"}
    req = make_coop_request(db, fr, de, type_code="urgent-24-7", fields=fields)
    conf = settings.model_copy(
        update={"smtp_host": "127.0.0.1", "smtp_port": port, "smtp_from": "cp@node.example"}
    )
    done = escalation.run(db, conf, utcnow() + timedelta(hours=9))
    assert done.escalations == 1
    [(rcpts, raw)] = inbox.messages
    assert sorted(rcpts) == sorted([de.email, boss.email])
    mail = message_from_bytes(raw, policy=policy.default)
    assert mail["From"] == "cp@node.example"
    subject = mail["Subject"].strip()  # Python folds long subjects before the first word
    assert subject == f"{req.reference}: Acknowledge and say whether, how and when is overdue"
    assert f"/cooperation/requests/{req.id}" in mail.get_content()
    assert all(n.emailed_at for n in notify.for_user(db, boss.id))


def test_without_smtp_only_in_app(db, settings) -> None:  # type: ignore[no-untyped-def]
    fr, de = coop_pair(db)
    fields = {"requesting_authority": "a", "facts": "b", "assistance_sought": "c", "urgency": "d"}
    make_coop_request(db, fr, de, type_code="urgent-24-7", fields=fields)
    escalation.run(db, settings, utcnow() + timedelta(hours=9))
    [n] = notify.for_user(db, de.id)
    assert n.kind == "cooperation.escalation" and n.emailed_at is None and n.email_error is None
    assert notify.unread_count(db, de.id) == 1


def test_an_unreachable_smtp_server_keeps_the_in_app_notification(db, settings) -> None:  # type: ignore[no-untyped-def]
    fr, de = coop_pair(db)
    fields = {"requesting_authority": "a", "facts": "b", "assistance_sought": "c", "urgency": "d"}
    req = make_coop_request(db, fr, de, type_code="urgent-24-7", fields=fields)
    service.acknowledge(db, actor_of(de), req.id, "yes, tomorrow")
    conf = settings.model_copy(update={"smtp_host": "127.0.0.1", "smtp_port": 1})
    rows = notify.notify(
        db,
        [notify.Addressee(de.id, de.email)],
        kind="t",
        subject="s",
        body="b",
        email=True,
        settings=conf,
    )
    assert rows[0].email_error and rows[0].emailed_at is None
