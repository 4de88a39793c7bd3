"""Reference numbers never collide: a second sender in another transaction waits for the
first one's counter row instead of taking the same number (both databases)."""

from __future__ import annotations

import threading

from notice_helpers import notice_data, world

from contactpoint.core.db import transaction
from contactpoint.takedown import service
from contactpoint.takedown.schemas import NoticeIn
from factories import actor_of


def test_concurrent_senders_get_different_references(factory, settings) -> None:  # type: ignore[no-untyped-def]
    with transaction(factory) as s:
        w = world(s)
        sender = actor_of(w.police)
    data = NoticeIn.model_validate(notice_data())
    refs: list[str] = []
    errors: list[BaseException] = []

    def second() -> None:
        try:
            with transaction(factory) as s2:
                s2.info["settings"] = settings
                refs.append(service.send(s2, sender, data)[0].reference)
        except BaseException as exc:
            errors.append(exc)

    with transaction(factory) as s1:
        s1.info["settings"] = settings
        first = service.send(s1, sender, data)[0].reference
        other = threading.Thread(target=second)
        other.start()  # it blocks on the counter (or the write lock) until s1 commits
    other.join(timeout=60)
    assert not other.is_alive() and not errors, errors
    numbers = sorted(int(r[-6:]) for r in [first, *refs])
    assert numbers == [1, 2] and refs[0] != first
