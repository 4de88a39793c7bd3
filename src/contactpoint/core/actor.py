"""Who is acting: a user, a token's service account, a citizen, or the system itself."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Actor:
    user_id: uuid.UUID | None
    org_id: uuid.UUID | None
    label: str
    roles: frozenset[str] = field(default_factory=frozenset)
    permissions: frozenset[str] = field(default_factory=frozenset)
    org_kind: str | None = None
    country: str | None = None
    token_id: uuid.UUID | None = None

    @property
    def is_authenticated(self) -> bool:
        return self.org_id is not None

    def has_role(self, *roles: str) -> bool:
        return bool(self.roles.intersection(roles))

    def can(self, permission: str) -> bool:
        return permission in self.permissions


SYSTEM = Actor(user_id=None, org_id=None, label="system", roles=frozenset({"system"}))
PUBLIC = Actor(user_id=None, org_id=None, label="public")
