"""`contactpoint org|user|token|mfa` through Typer's CliRunner against the test database."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.accounts import service
from contactpoint.accounts.deps import sha256_hex
from contactpoint.accounts.models import ApiToken
from contactpoint.cli import app
from contactpoint.core.audit import AuditEntry
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import transaction
from factories import PASSWORD, use_cli_settings

runner = CliRunner()


@pytest.fixture
def cli(settings: Settings, monkeypatch: pytest.MonkeyPatch):  # type: ignore[no-untyped-def]
    use_cli_settings(monkeypatch, settings)

    def run(*args: str, input: str | None = None):  # type: ignore[no-untyped-def]
        return runner.invoke(app, list(args), input=input)

    yield run


def test_org_user_token_mfa_round_trip(cli, factory: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    r = cli("org", "add", "OFAC", "--kind", "law-enforcement", "--country", "FR")
    assert r.exit_code == 0, r.output
    assert "OFAC" in cli("org", "list").output
    r = cli(
        "user",
        "add",
        "Ana@Police.fr",
        "--org",
        "OFAC",
        "--role",
        "analyst",
        "--role",
        "investigator",
        "--password",
        PASSWORD,
    )
    assert r.exit_code == 0, r.output
    listing = cli("user", "list").output
    assert "ana@police.fr" in listing and "investigator" in listing

    r = cli(
        "token",
        "create",
        "--org",
        "OFAC",
        "--user",
        "ana@police.fr",
        "--name",
        "feed",
        "--permission",
        "reports:read",
        "--expires-days",
        "30",
    )
    assert r.exit_code == 0, r.output
    text = r.output.strip().splitlines()[-1]
    assert text.startswith("cp_")
    with transaction(factory) as s:
        row = s.scalars(select(ApiToken)).one()
        assert row.token_hash == sha256_hex(text) and text not in row.token_hash
        assert row.expires_at is not None
    assert text not in cli("token", "list").output  # shown once only

    r = cli("token", "revoke", row.prefix)
    assert r.exit_code == 0 and "revoked" in r.output
    assert "revoked" in cli("token", "list").output

    assert cli("mfa", "require", "admin").exit_code == 0
    assert "admin: required" in cli("mfa", "list").output
    assert cli("mfa", "relax", "admin").exit_code == 0

    r = cli("user", "reset-password", "ana@police.fr", "--generate")
    assert r.exit_code == 0 and "shown once" in r.output
    with transaction(factory) as s:
        acts = set(s.scalars(select(AuditEntry.action)))
        assert {
            "organisation.create",
            "user.create",
            "token.create",
            "token.revoke",
            "mfa.require",
            "mfa.relax",
            "user.reset_password",
        } <= acts
        user = service.get_user(s, "ana@police.fr")
        assert not service.verify_password(user.password_hash, PASSWORD)


def test_password_is_prompted_when_omitted(cli, factory: sessionmaker[Session]) -> None:  # type: ignore[no-untyped-def]
    cli("org", "add", "Hotline", "--kind", "hotline", "--country", "NL")
    r = cli(
        "user",
        "add",
        "h@hotline.nl",
        "--org",
        "Hotline",
        "--role",
        "analyst",
        input=f"{PASSWORD}\n{PASSWORD}\n",
    )
    assert r.exit_code == 0, r.output
    with transaction(factory) as s:
        assert service.verify_password(service.get_user(s, "h@hotline.nl").password_hash, PASSWORD)


@pytest.mark.parametrize(
    "args, words",
    [
        (["org", "add", "X", "--kind", "police", "--country", "FR"], "kind 'police'"),
        (["org", "add", "X", "--kind", "isp", "--country", "fr"], "country 'fr'"),
        (["org", "add", "X", "--kind", "isp", "--country", "ZZ"], "country 'ZZ'"),
        (
            [
                "user",
                "add",
                "a@b.org",
                "--org",
                "Nowhere",
                "--role",
                "analyst",
                "--password",
                PASSWORD,
            ],
            "organisation 'Nowhere' not found",
        ),
        (
            ["user", "add", "a@b.org", "--org", "Known", "--role", "boss", "--password", PASSWORD],
            "unknown: boss",
        ),
        (
            [
                "user",
                "add",
                "a@b.org",
                "--org",
                "Known",
                "--role",
                "analyst",
                "--password",
                "short",
            ],
            "at least 12",
        ),
        (
            [
                "token",
                "create",
                "--org",
                "Known",
                "--user",
                "u@known.org",
                "--name",
                "t",
                "--permission",
                "admin:manage",
            ],
            "do not allow: admin:manage",
        ),
        (["token", "revoke", "deadbeef"], "not found"),
        (["mfa", "require", "boss"], "role 'boss'"),
    ],
)
def test_bad_arguments_exit_2_with_a_clear_message(cli, args: list[str], words: str) -> None:  # type: ignore[no-untyped-def]
    cli("org", "add", "Known", "--kind", "isp", "--country", "DE")
    cli("user", "add", "u@known.org", "--org", "Known", "--role", "analyst", "--password", PASSWORD)
    r = cli(*args)
    assert r.exit_code == 2, r.output
    assert words in " ".join(r.output.split())


def test_missing_key_file_says_run_init(
    settings: Settings, monkeypatch: pytest.MonkeyPatch, tmp_path
) -> None:  # type: ignore[no-untyped-def]
    use_cli_settings(monkeypatch, settings)
    monkeypatch.setenv("CONTACTPOINT_KEY_FILE", str(tmp_path / "absent.json"))
    get_settings.cache_clear()
    r = runner.invoke(app, ["org", "list"])
    get_settings.cache_clear()
    assert r.exit_code == 1 and "contactpoint init" in r.output
