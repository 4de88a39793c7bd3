"""CSV intake: the documented header (docs/reports.md), one report per row.

Encoding: UTF-8, with or without a byte-order mark. With ``encoding="auto"`` (default) a
line that is not valid UTF-8 is read as Windows-1252 (the usual "Latin-1" of spreadsheet
exports) and its number is recorded in ``fallback_lines``, so the summary can say so;
``encoding="utf-8"`` refuses such a file instead, naming the line.

Cells: empty means absent. Suspect identifiers come either in one ``suspect_identifiers``
cell (``type=value`` entries separated by ``|``, or a JSON array) or in per-type columns
``suspect_iban``, ``suspect_phone``, ... whose values are separated by ``|``.
"""

from __future__ import annotations

import csv
import json
from collections.abc import Iterable, Iterator
from typing import Any

from contactpoint.reports.filerows import FileFormatError, Record, RowError
from contactpoint.taxonomy.vocab import IdentifierType

SCALAR_COLUMNS = (
    "external_id",
    "crime_kind",
    "category",
    "incident_type",
    "offence",
    "victim_country",
    "victim_type",
    "occurred_at",
    "description",
    "loss_amount",
    "loss_currency",
    "payment_method",
    "reporter_name",
    "reporter_email",
    "reporter_phone",
    "contact_consent",
    "share_with_other_authorities",
    "anonymous",
    "tlp",
    "pap",
)
IDENTIFIER_COLUMNS = {f"suspect_{t.value.replace('-', '_')}": t.value for t in IdentifierType}
COLUMNS = (*SCALAR_COLUMNS, "suspect_identifiers", *IDENTIFIER_COLUMNS)
ENCODINGS = ("auto", "utf-8", "cp1252")


class CsvParser:
    def __init__(self, encoding: str = "auto") -> None:
        if encoding not in ENCODINGS:
            raise FileFormatError(f"unknown encoding {encoding!r}; use one of {ENCODINGS}")
        self.encoding = encoding
        self.fallback_lines: list[int] = []  # lines read as Windows-1252 (auto mode)

    def _decode(self, lines: Iterable[bytes]) -> Iterator[str]:
        for number, raw in enumerate(lines, start=1):
            if number == 1 and raw.startswith(b"\xef\xbb\xbf"):
                raw = raw[3:]
            if self.encoding == "cp1252":
                yield raw.decode("cp1252", errors="replace")
                continue
            try:
                yield raw.decode("utf-8")
            except UnicodeDecodeError as exc:
                if self.encoding == "utf-8":
                    raise FileFormatError(
                        f"not valid UTF-8 (byte 0x{raw[exc.start]:02x} at column "
                        f"{exc.start + 1}); save the file as UTF-8, or import it with "
                        "--encoding cp1252",
                        line=number,
                    ) from None
                self.fallback_lines.append(number)
                yield raw.decode("cp1252", errors="replace")

    def records(self, lines: Iterable[bytes]) -> Iterator[Record]:
        """One Record per data row; raises FileFormatError only for the header or encoding."""
        reader = csv.reader(self._decode(lines), strict=False)
        header = self._header(reader)
        last = reader.line_num
        while True:
            start = last + 1
            try:
                row = next(reader)
            except StopIteration:
                return
            except csv.Error as exc:
                if reader.line_num == last:  # no progress: stop rather than loop
                    yield Record(start, error=RowError(start, None, f"unreadable CSV: {exc}"))
                    return
                last = reader.line_num
                yield Record(start, error=RowError(start, None, f"unreadable CSV: {exc}"))
                continue
            last = reader.line_num
            if not any(cell.strip() for cell in row):
                continue  # blank line
            yield self._record(start, header, row)

    def _header(self, reader: Any) -> list[str]:
        try:
            names = next(reader)
        except StopIteration:
            raise FileFormatError(
                "the file is empty: the first line must be the header", line=1
            ) from None
        except csv.Error as exc:
            raise FileFormatError(f"unreadable header: {exc}", line=1) from None
        names = [n.strip().lower() for n in names]
        unknown = [n for n in names if n not in COLUMNS]
        if unknown:
            raise FileFormatError(
                f"unknown column(s) {', '.join(repr(n) for n in unknown)}; "
                "the header is documented in docs/reports.md",
                line=1,
            )
        dupes = sorted({n for n in names if names.count(n) > 1})
        if dupes:
            raise FileFormatError(f"column(s) given twice: {', '.join(dupes)}", line=1)
        if "description" not in names:
            raise FileFormatError("the header has no 'description' column", line=1)
        return names

    def _record(self, line: int, header: list[str], row: list[str]) -> Record:
        if len(row) != len(header):
            return Record(
                line,
                error=RowError(
                    line, None, f"expected {len(header)} fields as in the header, got {len(row)}"
                ),
            )
        data: dict[str, Any] = {}
        idents: list[dict[str, str]] = []
        for name, cell in zip(header, row, strict=True):
            cell = cell.strip()
            if not cell:
                continue
            if name == "suspect_identifiers":
                try:
                    idents.extend(parse_identifiers(cell))
                except ValueError as exc:
                    return Record(line, error=RowError(line, name, str(exc)))
            elif name in IDENTIFIER_COLUMNS:
                idents.extend(
                    {"type": IDENTIFIER_COLUMNS[name], "value": v.strip()}
                    for v in cell.split("|")
                    if v.strip()
                )
            else:
                data[name] = cell
        if idents:
            data["suspect_identifiers"] = idents
        return Record(line, data=data)


def parse_identifiers(cell: str) -> list[dict[str, str]]:
    """``iban=DE89...|phone=+33...`` or a JSON array of {"type","value"} objects."""
    if cell.startswith("["):
        try:
            items = json.loads(cell)
        except (json.JSONDecodeError, RecursionError) as exc:
            raise ValueError(f"not a JSON array: {exc}") from None
        if not isinstance(items, list) or not all(isinstance(i, dict) for i in items):
            raise ValueError("a JSON array of objects with type and value is expected")
        return items
    out = []
    for part in cell.split("|"):
        part = part.strip()
        if not part:
            continue
        kind, sep, value = part.partition("=")
        if not sep or not value.strip():
            raise ValueError(f"{part[:40]!r}: write type=value, e.g. iban=DE89370400440532013000")
        out.append({"type": kind.strip().lower(), "value": value.strip()})
    return out
