"""``reports.language.classify`` answers exactly as py3langid does, on its own model."""

from __future__ import annotations

import py3langid
import pytest

from contactpoint.reports import language
from contactpoint.training import bulkgen


def test_agrees_with_py3langid_on_scenario_reports_in_every_language() -> None:
    rows = list(bulkgen.generate(3000, seed=11))
    texts = [str(r["description"]) for r in rows]
    expected = [py3langid.classify(t) for t in texts]
    got = [language.classify(t) for t in texts]
    assert got == expected
    assert len({lang for lang, _ in expected}) >= 20  # the comparison spans the languages


def test_classify_many_answers_as_classify_one_by_one() -> None:
    texts = [str(r["description"]) for r in bulkgen.generate(600, seed=12)]
    texts[3:3] = EDGE_CASES  # among others, so a batch mixes lengths, scripts and empties
    assert language.classify_many(texts) == [language.classify(t) for t in texts]
    assert language.classify_many(EDGE_CASES[:1]) == [py3langid.classify("")]
    assert language.classify_many([]) == []


EDGE_CASES = [
    "",
    "a",
    "ok",
    "ALL CAPITALS ARE LOWERED FIRST BY PY3LANGID",
    "é",
    "日本語のテキストです。詐欺サイトに支払いました",
    "Здравствуйте, я перевёл деньги мошенникам",
    "\x00\x01\x02 control characters",
    "🙂🙂🙂 émoji ünd ümlauts",
    "x" * 2000,
    "Zahlung an DE89370400440532013000 für eine Wohnung, die es nicht gab",
]


@pytest.mark.parametrize("text", EDGE_CASES)
def test_agrees_with_py3langid_on_edge_cases(text: str) -> None:
    assert language.classify(text) == py3langid.classify(text)


def test_the_walk_depth_is_read_from_the_model() -> None:
    # py3langid's features are byte n-grams; a depth below the longest would miscount.
    assert language._model().depth >= 4
