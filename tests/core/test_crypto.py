"""Personal data at rest: AES-GCM columns, the key file made by `init`, key rotation."""

from __future__ import annotations

import json
import stat
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from contactpoint.accounts.models import User
from contactpoint.cli import app
from contactpoint.core import crypto
from contactpoint.core.config import Settings, get_settings
from contactpoint.core.db import transaction
from factories import make_user, use_cli_settings

runner = CliRunner()
SECRET = "JBSWY3DPEHPK3PXPJBSWY3DPEHPK3PXP"


@pytest.fixture(autouse=True)
def restore_keyring(keyring: crypto.Keyring) -> Iterator[None]:
    """`init` and `keys rotate` load keys into the process; give later tests theirs back."""
    yield
    crypto.configure(keyring)
    get_settings.cache_clear()


def _user_with_secret(factory: sessionmaker[Session]) -> str:
    with transaction(factory) as s:
        user = make_user(s)
        user.totp_secret = SECRET
        return str(user.id)


def _raw_secret(factory: sessionmaker[Session], user_id: str) -> str:
    with transaction(factory) as s:
        users = s.execute(text("SELECT id, totp_secret FROM users")).all()
    # SQLite stores UUIDs as 32 hex digits, PostgreSQL as uuid: compare loosely.
    return next(raw for uid, raw in users if str(uid).replace("-", "") == user_id.replace("-", ""))


def test_encrypted_column_reads_back_and_stores_only_ciphertext(
    factory: sessionmaker[Session],
) -> None:
    user_id = _user_with_secret(factory)
    raw = _raw_secret(factory, user_id)
    assert SECRET not in raw
    assert raw.startswith("v1:k1:")  # format and key id, so rotation knows what to redo
    with transaction(factory) as s:
        user = s.scalars(select(User).where(User.totp_secret.is_not(None))).one()
        assert user.totp_secret == SECRET


def test_same_value_encrypts_differently_each_time(keyring: crypto.Keyring) -> None:
    a, b = keyring.encrypt(SECRET), keyring.encrypt(SECRET)
    assert a != b and keyring.decrypt(a) == keyring.decrypt(b) == SECRET


def test_init_creates_key_file_readable_by_owner_only(
    settings: Settings, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    var = tmp_path / "fresh-var"
    monkeypatch.setenv("CONTACTPOINT_VAR_DIR", str(var))
    monkeypatch.setenv("CONTACTPOINT_DATABASE_URL", settings.database_url)  # "" is SQLite
    monkeypatch.delenv("CONTACTPOINT_KEY_FILE", raising=False)
    get_settings.cache_clear()

    result = runner.invoke(app, ["init"])
    assert result.exit_code == 0, result.output
    key_file = var / "keys.json"
    assert "created data key file" in result.output
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    keys = json.loads(key_file.read_text())
    assert keys["active"] in keys["aes_keys"] and keys["hmac_key"]

    again = runner.invoke(app, ["init"])  # idempotent: keeps the key, migrations are no-ops
    assert again.exit_code == 0, again.output
    assert "created data key file" not in again.output
    assert json.loads(key_file.read_text()) == keys


def test_keys_rotate_reencrypts_and_old_data_still_reads(
    settings: Settings, factory: sessionmaker[Session], monkeypatch: pytest.MonkeyPatch
) -> None:
    user_id = _user_with_secret(factory)
    hmac_before = json.loads(settings.effective_key_file.read_text())["hmac_key"]
    use_cli_settings(monkeypatch, settings)

    result = runner.invoke(app, ["keys", "rotate"])
    assert result.exit_code == 0, result.output
    assert "active key is now k2; re-encrypted" in result.output

    keys = json.loads(settings.effective_key_file.read_text())
    assert keys["active"] == "k2" and set(keys["aes_keys"]) == {"k1", "k2"}
    assert keys["hmac_key"] == hmac_before  # linking tokens must stay comparable
    assert _raw_secret(factory, user_id).startswith("v1:k2:")
    # A fresh process (the key file alone) reads the re-encrypted value.
    crypto.configure(crypto.Keyring.load(settings.effective_key_file))
    with transaction(factory) as s:
        user = s.scalars(select(User).where(User.totp_secret.is_not(None))).one()
        assert user.totp_secret == SECRET
