"""What the bulk-file parsers yield: one record per data row, or the error at its line.

Pure; shared by csvfile.py and jsonl.py. A parser never raises on bad rows: it yields a
:class:`Record` with an error, so the importer can list every bad line and keep the good
ones. Only a file that cannot be read at all (no header, unknown columns, an encoding
refused by choice) raises :class:`FileFormatError`.
"""

from __future__ import annotations

import io
from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from typing import Any


class FileFormatError(ValueError):
    """The whole file is unusable; ``line`` names where (1-based), when known."""

    def __init__(self, message: str, line: int | None = None) -> None:
        super().__init__(f"line {line}: {message}" if line else message)
        self.line = line
        self.message = message


@dataclass(frozen=True)
class RowError:
    line: int
    field: str | None
    message: str


@dataclass(frozen=True)
class Record:
    line: int  # 1-based line where the row starts
    data: dict[str, Any] | None = None
    error: RowError | None = None


class CountingLines:
    """Wraps an iterable of byte lines and counts the bytes handed out (for progress)."""

    def __init__(self, lines: Iterable[bytes]) -> None:
        self._lines = iter(lines)
        self.bytes_read = 0

    def __iter__(self) -> Iterator[bytes]:
        for line in self._lines:
            self.bytes_read += len(line)
            yield line


def split_lines(data: bytes) -> list[bytes]:
    """Byte lines with their endings, split at b"\\n" as iterating a binary file does."""
    return list(io.BytesIO(data))
