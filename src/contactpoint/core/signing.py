"""The node's Ed25519 signing key and detached signatures (pure apart from the key file).

One key per node signs what other parties must be able to check later: blocklist exports
(blocking) and the authenticated timestamps of notices and removal orders (takedown). It
lives in ``VAR_DIR/blocklist-signing-key.pem`` (PKCS#8, mode 0600; the name predates its
second use and is kept so published keys stay valid), and is made on first use or by
``contactpoint blocking keygen``. Signatures are raw (64 bytes), so
``openssl pkeyutl -verify -rawin`` checks them too.
"""

from __future__ import annotations

import os
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

KEY_FILE = "blocklist-signing-key.pem"


def key_path(var_dir: Path) -> Path:
    return var_dir / KEY_FILE


def generate(path: Path, *, overwrite: bool = False) -> Ed25519PrivateKey:
    if path.exists() and not overwrite:
        raise FileExistsError(f"{path} exists; pass overwrite to replace it")
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(
        serialization.Encoding.PEM,
        serialization.PrivateFormat.PKCS8,
        serialization.NoEncryption(),
    )
    path.parent.mkdir(parents=True, exist_ok=True)
    tmp = path.with_suffix(".tmp")
    fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_TRUNC, 0o600)
    with os.fdopen(fd, "wb") as fh:
        fh.write(pem)
    os.chmod(tmp, 0o600)
    tmp.replace(path)
    return key


def load_or_create(path: Path) -> Ed25519PrivateKey:
    if not path.exists():
        try:
            return generate(path)
        except FileExistsError:
            pass  # another process made it first: use theirs
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return key


def public_pem(key: Ed25519PrivateKey) -> bytes:
    return key.public_key().public_bytes(
        serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo
    )


def sign(key: Ed25519PrivateKey, data: bytes) -> bytes:
    return key.sign(data)


def verify(public_key_pem: bytes, data: bytes, signature: bytes) -> bool:
    key = serialization.load_pem_public_key(public_key_pem)
    if not isinstance(key, Ed25519PublicKey):
        raise ValueError("the public key is not an Ed25519 key")
    try:
        key.verify(signature, data)
    except InvalidSignature:
        return False
    return True
