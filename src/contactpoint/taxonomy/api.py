"""`GET /api/v1/taxonomy`: the classification, public (no token needed)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query

import contactpoint.taxonomy.service as taxonomy

router = APIRouter(prefix="/api/v1/taxonomy", tags=["taxonomy"])


@router.get("")
def get_taxonomy(lang: Annotated[str, Query(max_length=8)] = "en") -> dict[str, Any]:
    """Categories of COM(2007) 267 with their RSIT / Common Taxonomy incident types, the
    citizen-facing crime kinds, and the offence codes with citations (`check`: the title
    is not yet confirmed against the official text)."""
    return taxonomy.as_dict(lang)
