"""Advice for victims, per kind of crime and language, read from data/advice.json.

The text is data so that an operator can correct or localise it without a code change.
English is the fallback for a language the file does not cover yet; for a kind this file
does not cover at all, the short advice of the taxonomy (taxonomy.service.advice_for) is used.
"""

from __future__ import annotations

import json
from functools import cache
from pathlib import Path

from contactpoint.taxonomy import service as taxonomy

ADVICE_FILE = Path(__file__).resolve().parent / "data" / "advice.json"
FALLBACK = "en"


@cache
def _load(path: Path = ADVICE_FILE) -> dict[str, dict[str, list[str]]]:
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if not k.startswith("_")}


def advice(kind: str, lang: str) -> list[str]:
    """The advice paragraphs for ``kind`` in ``lang`` (English when not translated)."""
    per_lang = _load().get(kind)
    if not per_lang:
        try:
            return taxonomy.advice_for(kind, lang)
        except (KeyError, ValueError):
            return []
    return per_lang.get(lang) or per_lang.get(FALLBACK, [])


def kinds() -> list[str]:
    return list(_load())
