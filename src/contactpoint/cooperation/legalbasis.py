"""Proposes the legal basis of a request from the directory. PURE.

Given what the directory says of the two states (EU membership, ETS 185 and CETS 224
ratification), whether it is an emergency, and the date, it says which request types have a
treaty basis, suggests the usual ones, and warns where none applies: the sender must then
state a legal basis explicitly.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from contactpoint.cooperation.rules import RequestType, Rules

# Reg. (EU) 2023/1543 Art. 34: the e-Evidence orders apply from this date.
EEVIDENCE_FROM = date(2026, 8, 18)
EEVIDENCE_CITATION = "Reg. 2023/1543 Art. 34"


@dataclass(frozen=True)
class StateInfo:
    country: str
    eu_member: bool = False
    eevidence_bound: bool = False  # an EU Member State bound by Reg. 2023/1543
    ets185_party: bool = False
    cets224_party: bool = False


@dataclass(frozen=True)
class Proposal:
    suggested: list[str]
    basis: dict[str, bool]  # request type code -> a treaty basis exists
    reasons: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)


def has_basis(rtype: RequestType, a: StateInfo, b: StateInfo, today: date) -> bool:
    """Whether a treaty (or EU law) gives ``rtype`` a basis between ``a`` and ``b``."""
    if rtype.not_in_force:
        return False
    if rtype.treaty == "none":
        return True
    ets = a.ets185_party and b.ets185_party
    eu = a.eu_member and b.eu_member
    if rtype.treaty == "network":
        return eu or ets
    if rtype.treaty == "ets185":
        return ets
    if rtype.treaty == "eevidence":
        return a.eevidence_bound and b.eevidence_bound and today >= EEVIDENCE_FROM
    if rtype.treaty == "cets224":
        return a.cets224_party and b.cets224_party
    return False


def propose(
    rules: Rules, requesting: StateInfo, receiving: StateInfo, *, emergency: bool, today: date
) -> Proposal:
    basis = {code: has_basis(t, requesting, receiving, today) for code, t in rules.types.items()}
    reasons: list[str] = []
    a, b = requesting.country, receiving.country
    if requesting.ets185_party and receiving.ets185_party:
        reasons.append(f"{a} and {b} are both Parties to the Budapest Convention (ETS 185)")
    if requesting.eu_member and receiving.eu_member:
        if today < EEVIDENCE_FROM:
            reasons.append(
                f"both are EU Member States; e-Evidence orders apply only from "
                f"{EEVIDENCE_FROM.isoformat()} ({EEVIDENCE_CITATION})"
            )
        elif basis.get("epoc"):
            reasons.append("both are EU Member States bound by Reg. 2023/1543")
    if emergency:
        order = ["urgent-24-7", "epoc", "preservation-mla", "epoc-pr"]
    elif a == b:
        order = ["preservation-domestic", "epoc", "epoc-pr"]
    else:
        order = ["epoc-pr", "epoc", "preservation-mla", "mla", "spontaneous", "urgent-24-7"]
    suggested = [c for c in order if basis.get(c)]
    warnings: list[str] = []
    if not [c for c in suggested if rules.types[c].treaty != "none"]:
        warnings.append(
            f"no treaty basis found between {a} and {b} in the directory: state the legal "
            "basis of the request explicitly"
        )
    return Proposal(suggested, basis, reasons, warnings)
