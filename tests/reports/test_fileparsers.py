"""Property tests for the pure CSV and JSON Lines parsers: never raise on arbitrary bytes
(except FileFormatError for an unusable CSV header), and name the right lines."""

from __future__ import annotations

import csv
import io
import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactpoint.reports import jsonl
from contactpoint.reports.csvfile import CsvParser, parse_identifiers
from contactpoint.reports.filerows import FileFormatError, split_lines

byte_lines = st.lists(st.binary(max_size=200), max_size=30)
cell_text = st.text(
    st.characters(exclude_categories=("Cs",), exclude_characters="\x00"), max_size=60
)


@given(byte_lines)
@settings(max_examples=300)
def test_csv_never_raises_but_format_error(lines: list[bytes]) -> None:
    data = b"\n".join(lines)
    try:
        recs = list(CsvParser().records(split_lines(data)))
    except FileFormatError as exc:
        assert exc.line in (None, 1)
        return
    numbers = [r.line for r in recs]
    assert numbers == sorted(numbers)
    assert all(2 <= n <= len(split_lines(data)) for n in numbers)
    assert all((r.data is None) != (r.error is None) for r in recs)


@given(byte_lines)
@settings(max_examples=200)
def test_csv_with_a_good_header_never_raises(lines: list[bytes]) -> None:
    data = b"description,victim_country\n" + b"\n".join(lines)
    for enc in ("auto", "cp1252"):
        for rec in CsvParser(enc).records(split_lines(data)):
            assert rec.line >= 2


@given(st.lists(st.tuples(cell_text, cell_text), min_size=1, max_size=15))
@settings(max_examples=200)
def test_csv_round_trip_keeps_values_and_start_lines(rows: list[tuple[str, str]]) -> None:
    out = io.StringIO(newline="")
    writer = csv.writer(out)
    writer.writerow(["description", "reporter_name"])
    expected = []
    for desc, name in rows:
        start = out.getvalue().count("\n") + 1
        writer.writerow([desc, name])
        if desc.strip() or name.strip():
            expected.append((start, desc.strip(), name.strip()))
    data = b"\xef\xbb\xbf" + out.getvalue().encode("utf-8")  # with a BOM, like Excel
    recs = list(CsvParser("utf-8").records(split_lines(data)))
    got = [
        (r.line, (r.data or {}).get("description", ""), (r.data or {}).get("reporter_name", ""))
        for r in recs
    ]
    assert got == expected


def test_latin1_csv_is_read_or_refused_by_line() -> None:
    data = "description,victim_country\nok,FR\nCaf\u00e9 arnaqu\u00e9,FR\n".encode("cp1252")
    parser = CsvParser("auto")
    recs = list(parser.records(split_lines(data)))
    assert recs[1].data == {"description": "Café arnaqué", "victim_country": "FR"}
    assert parser.fallback_lines == [3]
    with pytest.raises(FileFormatError) as exc:
        list(CsvParser("utf-8").records(split_lines(data)))
    assert exc.value.line == 3 and "cp1252" in exc.value.message


def test_csv_header_and_row_problems() -> None:
    with pytest.raises(FileFormatError, match="unknown column"):
        list(CsvParser().records([b"description,colour\n"]))
    with pytest.raises(FileFormatError, match="empty"):
        list(CsvParser().records([]))
    recs = list(
        CsvParser().records(
            split_lines(
                b"description,suspect_identifiers\nshort row\nx,iban\nx,iban=DE89|phone=+331\n"
            )
        )
    )
    assert [(r.line, r.error and r.error.field) for r in recs] == [
        (2, None),
        (3, "suspect_identifiers"),
        (4, None),
    ]
    assert recs[2].data == {
        "description": "x",
        "suspect_identifiers": [
            {"type": "iban", "value": "DE89"},
            {"type": "phone", "value": "+331"},
        ],
    }
    assert parse_identifiers('[{"type": "url", "value": "a=b|c"}]') == [
        {"type": "url", "value": "a=b|c"}
    ]


@given(byte_lines)
@settings(max_examples=300)
def test_jsonl_never_raises(lines: list[bytes]) -> None:
    data = b"\n".join(lines)
    recs = list(jsonl.records(split_lines(data)))
    assert all(1 <= r.line <= len(split_lines(data)) for r in recs)
    assert all((r.data is None) != (r.error is None) for r in recs)


json_obj = st.dictionaries(
    st.text(max_size=10),
    st.one_of(
        st.none(), st.booleans(), st.integers(), cell_text, st.lists(st.integers(), max_size=3)
    ),
    max_size=5,
)


@given(st.lists(st.one_of(json_obj, st.just("blank"), st.just("bad")), max_size=20))
@settings(max_examples=200)
def test_jsonl_round_trip_names_lines(items: list[object]) -> None:
    lines = []
    for item in items:
        if item == "blank":
            lines.append("   ")
        elif item == "bad":
            lines.append('{"description": ')
        else:
            lines.append(json.dumps(item, ensure_ascii=False))
    data = "\n".join(lines).encode("utf-8")
    recs = list(jsonl.records(split_lines(data)))
    expected = [(i + 1, item) for i, item in enumerate(items) if item != "blank"]
    assert [(r.line, r.data if r.error is None else "bad") for r in recs] == expected


def test_jsonl_errors_name_the_line() -> None:
    recs = list(jsonl.records(split_lines(b'{"a": 1}\n[1, 2]\n\xff\n{"b":\n' + b"[" * 100000)))
    assert [r.line for r in recs] == [1, 2, 3, 4, 5]
    assert recs[1].error and "object" in recs[1].error.message
    assert recs[2].error and "UTF-8" in recs[2].error.message
    assert recs[3].error and "invalid JSON" in recs[3].error.message
    assert recs[4].error is not None
