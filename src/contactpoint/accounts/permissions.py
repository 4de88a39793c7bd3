"""What each role may do. Tokens carry a subset of their creator's organisation's rights."""

from __future__ import annotations

from contactpoint.accounts.models import Role

ALL_PERMISSIONS: dict[str, str] = {
    "admin:manage": "manage organisations, users, roles, tokens and MFA policy",
    "audit:read": "read and verify the audit log",
    "reports:read": "read reports the markings allow",
    "reports:submit": "submit reports (API and bulk files)",
    "reports:triage": "classify, mark, assign and change the status of reports",
    "indicators:search": "search indicators",
    "indicators:lookup": "ask whether an IBAN, BIN, wallet or phone has been reported",
    "cases:manage": "open and work cases",
    "cooperation:manage": "send and answer cooperation requests",
    "cooperation:respond": "acknowledge and answer cooperation requests addressed to a provider",
    "takedown:manage": "send notices and removal orders",
    "takedown:respond": "acknowledge and answer notices as a provider",
    "takedown:compliance": "see providers' compliance figures (time to removal, overdue orders)",
    "providers:manage": "keep the provider directory (networks, domains, abuse contacts)",
    "blocklists:read": "download blocklists",
    "blocklists:manage": "keep the national blocklist (law-enforcement and public bodies)",
}

ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset({"admin:manage", "audit:read", "blocklists:manage", "providers:manage"}),
    Role.ANALYST: frozenset(
        {
            "reports:read",
            "reports:submit",
            "reports:triage",
            "indicators:search",
            "takedown:manage",
            "takedown:compliance",
        }
    ),
    Role.INVESTIGATOR: frozenset(
        {"reports:read", "reports:triage", "indicators:search", "cases:manage"}
    ),
    Role.CONTACT_POINT_OFFICER: frozenset(
        {
            "reports:read",
            "reports:triage",
            "indicators:search",
            "cooperation:manage",
            "takedown:manage",
            "takedown:compliance",
            "providers:manage",
            "blocklists:manage",
        }
    ),
    Role.PROVIDER_OPERATOR: frozenset(
        {
            "takedown:respond",
            "takedown:compliance",
            "cooperation:respond",
            "blocklists:read",
            "reports:submit",
        }
    ),
    Role.BANK_OPERATOR: frozenset({"reports:submit", "indicators:lookup"}),
    Role.AUDITOR: frozenset({"audit:read", "takedown:compliance"}),
}


def permissions_for(roles: list[str] | frozenset[str]) -> frozenset[str]:
    out: set[str] = set()
    for name in roles:
        try:
            out |= ROLE_PERMISSIONS[Role(name)]
        except ValueError:
            continue
    return frozenset(out)
