"""New primary keys are UUIDv7 (RFC 9562): time first, so rows written together sit side
by side in every index on their id."""

from __future__ import annotations

import time

from contactpoint.core.db import new_id, new_ids


def test_ids_are_version_7_in_ascending_order_and_distinct() -> None:
    before = time.time_ns() // 1_000_000
    ids = new_ids(5000)
    after = time.time_ns() // 1_000_000
    assert all(u.version == 7 and u.variant == "specified in RFC 4122" for u in ids)
    assert ids == sorted(ids) and len(set(ids)) == 5000
    assert all(before <= u.int >> 80 <= after for u in ids)  # unix milliseconds


def test_later_ids_sort_after_earlier_ones() -> None:
    first = new_id()
    time.sleep(0.002)
    later = new_ids(3)
    assert all(first < u for u in later)
    assert new_ids(0) == []
