"""Markings as types: TLP 2.0, PAP, and SIENA handling codes (shared/LEGAL_RULES.md)."""

from __future__ import annotations

from enum import StrEnum


class TLP(StrEnum):
    """FIRST Traffic Light Protocol 2.0."""

    CLEAR = "CLEAR"  # no limit on disclosure
    GREEN = "GREEN"  # the community, not public channels
    AMBER = "AMBER"  # recipient organisation and its clients, need-to-know
    AMBER_STRICT = "AMBER+STRICT"  # recipient organisation only
    RED = "RED"  # named recipients only

    @property
    def rank(self) -> int:
        return _TLP_ORDER.index(self)


_TLP_ORDER = [TLP.CLEAR, TLP.GREEN, TLP.AMBER, TLP.AMBER_STRICT, TLP.RED]


class PAP(StrEnum):
    """Permissible Actions Protocol."""

    CLEAR = "CLEAR"  # no restriction
    GREEN = "GREEN"  # active actions allowed, e.g. blocking
    AMBER = "AMBER"  # passive cross-checks only
    RED = "RED"  # only actions that cannot be detected

    @property
    def allows_active_action(self) -> bool:
        return self in (PAP.CLEAR, PAP.GREEN)


class HandlingCode(StrEnum):
    """Europol SIENA handling codes."""

    H0 = "H0"  # for preventing and combating crime only
    H1 = "H1"  # not for judicial proceedings without the provider's permission
    H2 = "H2"  # not to be passed on without permission
    H3 = "H3"  # other restrictions, stated in text

    @property
    def may_pass_on(self) -> bool:
        return self is not HandlingCode.H2


MARKING_SOURCES = {
    "tlp": "FIRST TLP 2.0 (https://www.first.org/tlp/)",
    "pap": "FIRST/MISP Permissible Actions Protocol",
    "handling": "Europol SIENA handling codes",
}


def stricter(a: TLP, b: TLP) -> TLP:
    """The stricter of two TLP levels: what derived data must carry."""
    return a if a.rank >= b.rank else b
