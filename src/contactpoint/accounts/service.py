"""Organisations, users, roles, passwords, TOTP enrolment and the MFA policy per role.

Plain functions ``(session, actor, ...)``; they flush but never commit, and every write is
audited. Login lives in :mod:`contactpoint.accounts.login`, API tokens in
:mod:`contactpoint.accounts.tokens`.
"""

from __future__ import annotations

import re
import secrets
import uuid
from functools import cache

import pyotp
from argon2 import PasswordHasher
from argon2.exceptions import InvalidHashError, VerificationError
from babel import Locale
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from contactpoint.accounts.models import LoginSession, MfaPolicy, Organisation, OrgKind, Role, User
from contactpoint.core.actor import Actor
from contactpoint.core.audit import record
from contactpoint.core.db import utcnow
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput, NotFound

PASSWORD_MIN = 12
PASSWORD_MAX = 1024  # argon2 has no limit, but a megabyte "password" is a denial of service
TOTP_ISSUER = "contactpoint"
EMAIL_RE = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")

# argon2-cffi's defaults are argon2id with the RFC 9106 "low memory" profile.
hasher = PasswordHasher()


def require_admin(actor: Actor) -> None:
    """The CLI acts as SYSTEM; people and tokens need admin:manage."""
    if "system" not in actor.roles and not actor.can("admin:manage"):
        raise Forbidden("your roles do not allow 'admin:manage'")


# --- organisations -------------------------------------------------------------------------


@cache
def _territories() -> frozenset[str]:
    # CLDR also names groupings and placeholders; they are not countries.
    not_countries = {"EU", "EZ", "UN", "QO", "XA", "XB", "ZZ"}
    codes = [str(code) for code in Locale("en").territories]
    return frozenset(c for c in codes if c.isalpha() and c not in not_countries)


def validate_country(country: str) -> str:
    """ISO 3166-1 alpha-2 in upper case, or EU for the central contact point."""
    if country == "EU":
        return country
    if not re.fullmatch(r"[A-Z]{2}", country or ""):
        raise InvalidInput(
            f"country '{country}' must be two upper-case letters (ISO 3166-1 alpha-2) or EU",
            errors=[{"field": "country", "message": "two upper-case letters or EU"}],
        )
    if country not in _territories():
        raise InvalidInput(
            f"country '{country}' is not an ISO 3166-1 alpha-2 code",
            errors=[{"field": "country", "message": "unknown country code"}],
        )
    return country


def parse_kind(kind: str) -> OrgKind:
    try:
        return OrgKind(kind)
    except ValueError:
        allowed = ", ".join(k.value for k in OrgKind)
        raise InvalidInput(
            f"kind '{kind}' is not one of: {allowed}",
            errors=[{"field": "kind", "message": f"one of {allowed}"}],
        ) from None


def create_organisation(
    session: Session, actor: Actor, name: str, kind: str, country: str
) -> Organisation:
    require_admin(actor)
    name = (name or "").strip()
    if not name or len(name) > 200:
        raise InvalidInput(
            "name must have 1 to 200 characters",
            errors=[{"field": "name", "message": "1 to 200 characters"}],
        )
    org_kind = parse_kind(kind)
    country = validate_country(country)
    if session.scalars(select(Organisation).where(Organisation.name == name)).first():
        raise Conflict(f"an organisation named '{name}' already exists")
    org = Organisation(name=name, kind=org_kind, country=country, active=True)
    session.add(org)
    session.flush()
    record(
        session,
        actor,
        "organisation.create",
        object_type="organisation",
        object_id=org.id,
        details={"name": name, "kind": org_kind.value, "country": country},
    )
    return org


def list_organisations(
    session: Session,
    include_inactive: bool = True,
    after: str | None = None,
    limit: int | None = None,
) -> list[Organisation]:
    """By name; ``after`` is the last name of the previous page (keyset pagination)."""
    query = select(Organisation).order_by(Organisation.name).limit(limit)
    if not include_inactive:
        query = query.where(Organisation.active.is_(True))
    if after is not None:
        query = query.where(Organisation.name > after)
    return list(session.scalars(query))


def get_organisation(session: Session, ref: str | uuid.UUID) -> Organisation:
    """By id or by exact name."""
    org = None
    if isinstance(ref, uuid.UUID):
        org = session.get(Organisation, ref)
    else:
        try:
            org = session.get(Organisation, uuid.UUID(ref))
        except ValueError:
            org = session.scalars(select(Organisation).where(Organisation.name == ref)).first()
    if org is None:
        raise NotFound(f"organisation '{ref}' not found")
    return org


def deactivate_organisation(session: Session, actor: Actor, org: Organisation) -> None:
    """Its users can no longer sign in and its tokens stop working (see accounts.deps)."""
    require_admin(actor)
    org.active = False
    record(session, actor, "organisation.deactivate", object_type="organisation", object_id=org.id)
    session.flush()


# --- users -----------------------------------------------------------------------------------


def normalise_email(email: str) -> str:
    email = (email or "").strip().lower()
    if not EMAIL_RE.match(email) or len(email) > 254:
        raise InvalidInput(
            f"'{email}' is not an email address",
            errors=[{"field": "email", "message": "not an email address"}],
        )
    return email


def parse_roles(roles: list[str]) -> list[str]:
    allowed = [r.value for r in Role]
    bad = [r for r in roles if r not in allowed]
    if bad or not roles:
        raise InvalidInput(
            f"roles must be one or more of: {', '.join(allowed)}"
            + (f" (unknown: {', '.join(bad)})" if bad else ""),
            errors=[{"field": "roles", "message": f"one or more of {', '.join(allowed)}"}],
        )
    return sorted(set(roles))


def check_password_policy(password: str, field: str = "password") -> None:
    if len(password or "") < PASSWORD_MIN:
        message = f"at least {PASSWORD_MIN} characters"
    elif len(password) > PASSWORD_MAX:
        message = f"at most {PASSWORD_MAX} characters"
    else:
        return
    raise InvalidInput(
        f"the password must have {message}", errors=[{"field": field, "message": message}]
    )


def create_user(
    session: Session,
    actor: Actor,
    email: str,
    org: Organisation,
    roles: list[str],
    password: str,
    display_name: str | None = None,
) -> User:
    require_admin(actor)
    email = normalise_email(email)
    role_list = parse_roles(roles)
    check_password_policy(password)
    if session.scalars(select(User).where(User.email == email)).first():
        raise Conflict(f"a user with the email '{email}' already exists")
    user = User(
        email=email,
        display_name=(display_name or "").strip() or email.split("@")[0],
        organisation_id=org.id,
        roles=role_list,
        password_hash=hasher.hash(password),
        active=True,
        failed_logins=0,
        totp_confirmed=False,
    )
    session.add(user)
    session.flush()
    record(
        session,
        actor,
        "user.create",
        object_type="user",
        object_id=user.id,
        details={"email": email, "organisation": org.name, "roles": role_list},
    )
    return user


def list_users(
    session: Session,
    org: Organisation | None = None,
    after: str | None = None,
    limit: int | None = None,
) -> list[User]:
    """By email; ``after`` is the last email of the previous page (keyset pagination)."""
    query = select(User).order_by(User.email).limit(limit)
    if org is not None:
        query = query.where(User.organisation_id == org.id)
    if after is not None:
        query = query.where(User.email > after)
    return list(session.scalars(query))


def get_user(session: Session, ref: str | uuid.UUID) -> User:
    """By id or by email (case-insensitive)."""
    user = None
    if isinstance(ref, uuid.UUID):
        user = session.get(User, ref)
    else:
        try:
            user = session.get(User, uuid.UUID(ref))
        except ValueError:
            user = session.scalars(select(User).where(User.email == ref.strip().lower())).first()
    if user is None:
        raise NotFound(f"user '{ref}' not found")
    return user


def set_roles(session: Session, actor: Actor, user: User, roles: list[str]) -> None:
    require_admin(actor)
    role_list = parse_roles(roles)
    before = list(user.roles)
    user.roles = role_list
    record(
        session,
        actor,
        "user.set_roles",
        object_type="user",
        object_id=user.id,
        details={"before": before, "after": role_list},
    )
    session.flush()


def end_sessions(session: Session, user: User, keep: uuid.UUID | None = None) -> None:
    """End the user's sessions everywhere (but ``keep``, the one making the change)."""
    query = update(LoginSession).where(
        LoginSession.user_id == user.id, LoginSession.ended_at.is_(None)
    )
    if keep is not None:
        query = query.where(LoginSession.id != keep)
    session.execute(query.values(ended_at=utcnow()))


def change_own_password(
    session: Session, actor: Actor, user: User, current: str, new: str, keep: uuid.UUID | None
) -> None:
    """A user replaces their own password; other browsers are signed out."""
    if actor.user_id != user.id:
        raise Forbidden("only the user may change their own password this way")
    if not verify_password(user.password_hash, current):
        raise InvalidInput(
            "the current password is not right",
            errors=[{"field": "current", "message": "not right"}],
        )
    check_password_policy(new, field="new")
    user.password_hash = hasher.hash(new)
    end_sessions(session, user, keep=keep)
    record(session, actor, "user.change_password", object_type="user", object_id=user.id)
    session.flush()


def reset_password(session: Session, actor: Actor, user: User, password: str | None = None) -> str:
    """Set a new password (or generate one) and return it; unlocks and signs out everywhere."""
    require_admin(actor)
    password = password if password is not None else secrets.token_urlsafe(15)
    check_password_policy(password)
    user.password_hash = hasher.hash(password)
    user.failed_logins = 0
    user.locked_until = None
    end_sessions(session, user)
    record(session, actor, "user.reset_password", object_type="user", object_id=user.id)
    session.flush()
    return password


def deactivate_user(session: Session, actor: Actor, user: User) -> None:
    require_admin(actor)
    user.active = False
    end_sessions(session, user)
    record(session, actor, "user.deactivate", object_type="user", object_id=user.id)
    session.flush()


def verify_password(user_hash: str, password: str) -> bool:
    try:
        return hasher.verify(user_hash, password)
    except (VerificationError, InvalidHashError):
        return False


# --- TOTP and the MFA policy ----------------------------------------------------------------


def begin_totp_enrolment(session: Session, actor: Actor, user: User) -> str:
    """A fresh secret, stored encrypted but not yet active until a code confirms it."""
    if user.totp_confirmed:
        raise Conflict("TOTP is already enrolled; disable it first to enrol a new device")
    if user.totp_secret is None:
        user.totp_secret = pyotp.random_base32()
        record(session, actor, "user.totp_enrol", object_type="user", object_id=user.id)
        session.flush()
    return user.totp_secret


def totp_uri(user: User) -> str:
    if user.totp_secret is None:
        raise Conflict("no TOTP secret to show; start the enrolment first")
    return pyotp.TOTP(user.totp_secret).provisioning_uri(name=user.email, issuer_name=TOTP_ISSUER)


def check_totp(user: User, code: str) -> bool:
    """Accept the current code or its neighbours (clock drift), each step only once."""
    if not user.totp_secret:
        return False
    code = (code or "").strip().replace(" ", "")
    if not re.fullmatch(r"\d{6}", code):
        return False
    totp = pyotp.TOTP(user.totp_secret)
    now = utcnow()
    step_now = totp.timecode(now)
    for offset in (0, -1, 1):
        step = step_now + offset
        if user.totp_last_step is not None and step <= user.totp_last_step:
            continue
        if secrets.compare_digest(totp.generate_otp(step), code):
            user.totp_last_step = step
            return True
    return False


def confirm_totp(session: Session, actor: Actor, user: User, code: str) -> bool:
    if user.totp_secret is None:
        raise Conflict("no TOTP enrolment is pending")
    if not check_totp(user, code):
        return False
    user.totp_confirmed = True
    record(session, actor, "user.totp_confirm", object_type="user", object_id=user.id)
    session.flush()
    return True


def disable_totp(session: Session, actor: Actor, user: User) -> None:
    """An administrator resets a lost device; the user enrols again at the next login."""
    require_admin(actor)
    user.totp_secret = None
    user.totp_confirmed = False
    user.totp_last_step = None
    record(session, actor, "user.totp_disable", object_type="user", object_id=user.id)
    session.flush()


def mfa_required_roles(session: Session) -> set[str]:
    return set(session.scalars(select(MfaPolicy.role).where(MfaPolicy.required.is_(True))))


def set_mfa_required(session: Session, actor: Actor, role: str, required: bool) -> None:
    require_admin(actor)
    role = parse_roles([role])[0]
    row = session.get(MfaPolicy, role)
    if row is None:
        session.add(MfaPolicy(role=role, required=required))
    else:
        row.required = required
    record(
        session,
        actor,
        "mfa.require" if required else "mfa.relax",
        object_type="role",
        object_id=role,
    )
    session.flush()


def requires_mfa(session: Session, user: User) -> bool:
    """Whether sign-in asks for a code: a role demands it, or the user enrolled anyway."""
    return user.totp_confirmed or bool(mfa_required_roles(session) & set(user.roles))


def count_users(session: Session) -> int:
    return int(session.scalar(select(func.count()).select_from(User)) or 0)
