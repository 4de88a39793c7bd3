"""JSON Lines intake: one JSON object per line, in the API's schema (docs/reports.md).

UTF-8 only (a leading byte-order mark is ignored); blank lines are skipped. A line that is
not UTF-8, not JSON, or not an object becomes an error record naming that line.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Iterator

from contactpoint.reports.filerows import Record, RowError


def records(lines: Iterable[bytes]) -> Iterator[Record]:
    for number, raw in enumerate(lines, start=1):
        rec = parse_line(number, raw)
        if rec is not None:
            yield rec


def parse_line(number: int, raw: bytes) -> Record | None:
    """One line of the file as a record (None for a blank line); ``number`` is 1-based.
    The bulk importer's workers call this on lines the parent hands them."""
    if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
        raw = raw[3:]
    try:
        text = raw.decode("utf-8")
    except UnicodeDecodeError as exc:
        return Record(
            number,
            error=RowError(
                number,
                None,
                f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                f"{exc.start + 1}); JSON Lines files must be UTF-8",
            ),
        )
    if not text.strip():
        return None
    try:
        obj = json.loads(text)
    except json.JSONDecodeError as exc:
        return Record(
            number, error=RowError(number, None, f"invalid JSON: {exc.msg} (column {exc.colno})")
        )
    except (RecursionError, ValueError) as exc:
        return Record(number, error=RowError(number, None, f"invalid JSON: {exc}"))
    if not isinstance(obj, dict):
        return Record(
            number,
            error=RowError(
                number, None, f"each line must be a JSON object, not {type(obj).__name__}"
            ),
        )
    return Record(number, data=obj)
