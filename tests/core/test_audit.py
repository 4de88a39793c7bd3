from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import audit
from contactpoint.core.actor import SYSTEM
from contactpoint.core.db import transaction


def _append(factory: sessionmaker[Session], n: int) -> None:
    with transaction(factory) as s:
        for i in range(n):
            audit.record(
                s, SYSTEM, "test.write", object_type="thing", object_id=i, details={"i": i}
            )


def test_intact_chain_verifies(factory: sessionmaker[Session]) -> None:
    _append(factory, 5)
    with transaction(factory) as s:
        result = audit.verify(s)
    assert result.ok and result.checked == 5


def test_altered_entry_is_named(factory: sessionmaker[Session]) -> None:
    _append(factory, 6)
    with transaction(factory) as s:
        s.execute(text("UPDATE audit_log SET action = 'tampered' WHERE seq = 4"))
    with transaction(factory) as s:
        result = audit.verify(s)
    assert not result.ok
    assert result.broken_seq == 4
    assert result.checked == 3


def test_deleted_entry_is_named(factory: sessionmaker[Session]) -> None:
    _append(factory, 6)
    with transaction(factory) as s:
        s.execute(text("DELETE FROM audit_log WHERE seq = 2"))
    with transaction(factory) as s:
        result = audit.verify(s)
    assert not result.ok and result.broken_seq == 2


def test_rolled_back_write_leaves_no_entry(factory: sessionmaker[Session]) -> None:
    try:
        with transaction(factory) as s:
            audit.record(s, SYSTEM, "test.write")
            raise RuntimeError("boom")
    except RuntimeError:
        pass
    with transaction(factory) as s:
        assert audit.verify(s).checked == 0
