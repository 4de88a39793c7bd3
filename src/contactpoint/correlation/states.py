"""The states of an indicator in linking (plain values, shared by models and services)."""

from __future__ import annotations

from enum import StrEnum


class LinkState(StrEnum):
    EXCLUDED = "excluded"  # an analyst excluded it from linking, with a reason
    OVER = "over-correlating"  # held by more reports than the cap; it stopped linking
    LIFTED = "lifted"  # an analyst lifted over-correlation: it links whatever its count
