"""Personal-data protection: AES-GCM encrypted columns and keyed HMAC linking tokens.

The key file (JSON, mode 0600) holds a ring of AES keys, one of them active, and one HMAC
key. Ciphertexts name the key that made them, so rotation adds a key, makes it active and
re-encrypts at leisure (``contactpoint keys rotate``). The HMAC key is not rotated: the
tokens that link reports across time are derived from it.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Text, TypeDecorator

_PREFIX = "v1"


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode()


def _unb64(data: str) -> bytes:
    return base64.urlsafe_b64decode(data.encode())


@dataclass
class Keyring:
    aes_keys: dict[str, bytes]
    active: str
    hmac_key: bytes
    _aead: dict[str, AESGCM] = field(default_factory=dict, repr=False)

    @classmethod
    def generate(cls) -> Keyring:
        kid = "k1"
        return cls({kid: AESGCM.generate_key(bit_length=256)}, kid, secrets.token_bytes(32))

    @classmethod
    def load(cls, path: Path) -> Keyring:
        data = json.loads(path.read_text())
        return cls(
            {k: _unb64(v) for k, v in data["aes_keys"].items()},
            data["active"],
            _unb64(data["hmac_key"]),
        )

    def save(self, path: Path) -> None:
        path.parent.mkdir(parents=True, exist_ok=True)
        body = json.dumps(
            {
                "aes_keys": {k: _b64(v) for k, v in self.aes_keys.items()},
                "active": self.active,
                "hmac_key": _b64(self.hmac_key),
            },
            indent=2,
        )
        tmp = path.with_suffix(".tmp")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
        with os.fdopen(fd, "w") as fh:
            fh.write(body)
        os.chmod(tmp, 0o600)
        tmp.replace(path)

    def add_key(self) -> str:
        kid = f"k{len(self.aes_keys) + 1}"
        while kid in self.aes_keys:
            kid += "x"
        self.aes_keys[kid] = AESGCM.generate_key(bit_length=256)
        self.active = kid
        return kid

    def _cipher(self, kid: str) -> AESGCM:
        if kid not in self._aead:
            self._aead[kid] = AESGCM(self.aes_keys[kid])
        return self._aead[kid]

    def encrypt(self, plaintext: str, *, context: bytes = b"") -> str:
        nonce = secrets.token_bytes(12)
        ct = self._cipher(self.active).encrypt(nonce, plaintext.encode(), context)
        return f"{_PREFIX}:{self.active}:{_b64(nonce + ct)}"

    def decrypt(self, token: str, *, context: bytes = b"") -> str:
        prefix, kid, blob = token.split(":", 2)
        if prefix != _PREFIX:
            raise ValueError("unknown ciphertext format")
        raw = _unb64(blob)
        return self._cipher(kid).decrypt(raw[:12], raw[12:], context).decode()

    def key_id_of(self, token: str) -> str:
        return token.split(":", 2)[1]

    def token(self, kind: str, value: str) -> str:
        """Keyed HMAC-SHA256 of a normalised value; ``kind`` separates the domains."""
        mac = hmac.new(self.hmac_key, f"{kind}\x00{value}".encode(), hashlib.sha256)
        return mac.hexdigest()


_keyring: Keyring | None = None


def ensure_key_file(path: Path) -> bool:
    """Create the key file with mode 0600 when missing. Returns whether it was created."""
    if path.exists():
        return False
    Keyring.generate().save(path)
    return True


def configure(keyring: Keyring) -> None:
    global _keyring
    _keyring = keyring


def keyring() -> Keyring:
    if _keyring is None:
        raise RuntimeError("data keys are not loaded; run `contactpoint init`")
    return _keyring


def hmac_token(kind: str, value: str) -> str:
    return keyring().token(kind, value)


class EncryptedString(TypeDecorator[str]):
    """A text column stored as AES-GCM ciphertext naming its key."""

    impl = Text
    cache_ok = True

    def process_bind_param(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring().encrypt(value)

    def process_result_value(self, value: str | None, dialect: Any) -> str | None:
        return None if value is None else keyring().decrypt(value)
