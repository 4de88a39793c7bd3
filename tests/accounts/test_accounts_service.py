"""Organisations, users, passwords, TOTP and the MFA policy, through the service."""

from __future__ import annotations

import pyotp
import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.accounts import service
from contactpoint.accounts.models import User
from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.audit import AuditEntry
from contactpoint.core.db import transaction
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from factories import PASSWORD, make_org, make_user


def actions(session: Session) -> list[str]:
    return list(session.scalars(select(AuditEntry.action).order_by(AuditEntry.seq)))


def test_create_organisation_is_audited(db: Session) -> None:
    org = make_org(db, "Police FR", "law-enforcement", "FR")
    assert service.get_organisation(db, "Police FR").id == org.id
    assert "organisation.create" in actions(db)


@pytest.mark.parametrize("country", ["fr", "F", "FRA", "XX", "12", ""])
def test_bad_country_is_refused_naming_the_field(db: Session, country: str) -> None:
    with pytest.raises(InvalidInput) as err:
        service.create_organisation(db, SYSTEM, "Somewhere", "isp", country)
    assert err.value.errors[0]["field"] == "country"


def test_eu_is_a_valid_country(db: Session) -> None:
    assert make_org(db, "EU CP", "eu-contact-point", "EU").country == "EU"


def test_unknown_kind_lists_the_kinds(db: Session) -> None:
    with pytest.raises(InvalidInput, match="hotline"):
        service.create_organisation(db, SYSTEM, "X", "police", "FR")


def test_duplicate_organisation_is_a_conflict(db: Session) -> None:
    make_org(db, "Dup")
    with pytest.raises(Conflict):
        make_org(db, "Dup")


def test_only_admins_manage(db: Session) -> None:
    analyst = Actor(user_id=None, org_id=None, label="x", permissions=frozenset({"reports:read"}))
    with pytest.raises(Forbidden):
        service.create_organisation(db, analyst, "Nope", "isp", "FR")


def test_password_is_argon2id_and_policy_applies(db: Session) -> None:
    user = make_user(db, email="Alice@Example.org")
    assert user.email == "alice@example.org"
    assert user.password_hash.startswith("$argon2id$")
    assert PASSWORD not in user.password_hash
    with pytest.raises(InvalidInput, match="at least 12"):
        make_user(db, password="short-pass")


def test_unknown_role_is_refused(db: Session) -> None:
    with pytest.raises(InvalidInput, match="roles"):
        make_user(db, roles=["superuser"])


def test_reset_password_returns_generated_one(db: Session) -> None:
    user = make_user(db)
    new = service.reset_password(db, SYSTEM, user)
    assert len(new) >= 12 and service.verify_password(user.password_hash, new)
    assert not service.verify_password(user.password_hash, PASSWORD)
    assert "user.reset_password" in actions(db)


def test_get_user_missing(db: Session) -> None:
    with pytest.raises(NotFound):
        service.get_user(db, "nobody@example.org")


def test_totp_secret_is_encrypted_at_rest(factory: sessionmaker[Session]) -> None:
    with transaction(factory) as s:
        user = make_user(s)
        secret = service.begin_totp_enrolment(s, SYSTEM, user)
        uid = user.id
    with transaction(factory) as s:
        raw = s.execute(text("SELECT totp_secret, email FROM users")).all()
        assert raw[0][0].startswith("v1:") and secret not in raw[0][0]
        assert s.get(User, uid).totp_secret == secret  # type: ignore[union-attr]


def test_totp_enrolment_needs_a_valid_code_once(db: Session) -> None:
    user = make_user(db)
    secret = service.begin_totp_enrolment(db, SYSTEM, user)
    wrong = "123456" if pyotp.TOTP(secret).now() != "123456" else "654321"
    assert not service.confirm_totp(db, SYSTEM, user, wrong)
    assert not user.totp_confirmed
    code = pyotp.TOTP(secret).now()
    assert service.confirm_totp(db, SYSTEM, user, code)
    assert user.totp_confirmed
    assert not service.check_totp(user, code), "a code must not be accepted twice"
    assert "otpauth://totp/" in service.totp_uri(user)


def test_mfa_policy_per_role(db: Session) -> None:
    admin = make_user(db, roles=["admin"])
    analyst = make_user(db, roles=["analyst"])
    assert not service.requires_mfa(db, admin)
    service.set_mfa_required(db, SYSTEM, "admin", True)
    assert service.requires_mfa(db, admin) and not service.requires_mfa(db, analyst)
    service.set_mfa_required(db, SYSTEM, "admin", False)
    assert not service.requires_mfa(db, admin)
    assert {"mfa.require", "mfa.relax"} <= set(actions(db))
