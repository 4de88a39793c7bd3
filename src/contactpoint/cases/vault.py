"""Encrypted evidence files on disk: VAR_DIR/evidence/<sha256>.enc.

Each file has its own random AES-256 data key, wrapped by the keyring's active key
(core.crypto, so `keys rotate` covers it and the file names the key that wrapped it). The
content is sealed in 64 KiB AES-GCM chunks so uploads and downloads stream without holding
the file in memory. Each chunk's nonce carries its index and its associated data says
whether it is the last one, so chunks cannot be reordered, dropped or the file truncated
without decryption failing.

Layout: MAGIC, 2-byte length + wrapped key (ASCII), 8-byte nonce prefix, then per chunk a
4-byte length and the ciphertext. No database here: callers keep the rows.
"""

from __future__ import annotations

import base64
import hashlib
import os
import re
import secrets
import struct
import tempfile
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import BinaryIO

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from contactpoint.core.crypto import keyring
from contactpoint.core.errors import InvalidInput, TooLarge

MAGIC = b"CPEVIDENCE1\n"
CHUNK = 64 * 1024
_KEY_CONTEXT = b"contactpoint evidence data key"


class CorruptEvidence(Exception):
    """The stored file does not decrypt: altered, truncated or wrong key file."""


@dataclass(frozen=True)
class Stored:
    sha256: str
    size: int
    path: Path
    created: bool  # False when identical content was already stored


def path_for(root: Path, sha: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ValueError("not a SHA-256 hex digest")
    return root / f"{sha}.enc"


def _aad(index: int, final: bool) -> bytes:
    return struct.pack(">IB", index, 1 if final else 0)


def _nonce(prefix: bytes, index: int) -> bytes:
    return prefix + struct.pack(">I", index)


def write(
    root: Path, source: BinaryIO, *, max_bytes: int, expected_sha256: str | None = None
) -> Stored:
    """Encrypt ``source`` into ``root``; hash the clear bytes as they pass.

    Refuses (and leaves nothing behind) when the content is empty, larger than
    ``max_bytes`` (TooLarge), or its SHA-256 differs from ``expected_sha256`` (InvalidInput).
    """
    root.mkdir(parents=True, exist_ok=True)
    dek = AESGCM.generate_key(bit_length=256)
    aead = AESGCM(dek)
    prefix = secrets.token_bytes(8)
    wrapped = keyring().encrypt(base64.b64encode(dek).decode(), context=_KEY_CONTEXT).encode()
    digest = hashlib.sha256()
    size = 0
    fd, tmp_name = tempfile.mkstemp(dir=root, prefix=".upload-")
    tmp = Path(tmp_name)
    try:
        with os.fdopen(fd, "wb") as out:
            out.write(MAGIC + struct.pack(">H", len(wrapped)) + wrapped + prefix)
            index = 0
            pending = source.read(CHUNK)
            while pending:
                size += len(pending)
                if size > max_bytes:
                    raise TooLarge(
                        f"the file is larger than the limit of {max_bytes} bytes",
                        errors=[{"field": "file", "message": f"larger than {max_bytes} bytes"}],
                    )
                digest.update(pending)
                following = source.read(CHUNK)
                sealed = aead.encrypt(_nonce(prefix, index), pending, _aad(index, not following))
                out.write(struct.pack(">I", len(sealed)) + sealed)
                index += 1
                pending = following
        if size == 0:
            raise InvalidInput("the file is empty", errors=[{"field": "file", "message": "empty"}])
        sha = digest.hexdigest()
        if expected_sha256 is not None and expected_sha256.strip().lower() != sha:
            raise InvalidInput(
                "the file's SHA-256 does not match the declared hash",
                errors=[
                    {
                        "field": "sha256",
                        "message": f"declared {expected_sha256.strip().lower()}, computed {sha}",
                    }
                ],
            )
        target = path_for(root, sha)
        if target.exists():
            tmp.unlink()
            return Stored(sha, size, target, created=False)
        os.chmod(tmp, 0o600)
        os.replace(tmp, target)
        return Stored(sha, size, target, created=True)
    except BaseException:
        tmp.unlink(missing_ok=True)
        raise


def read(path: Path) -> Iterator[bytes]:
    """The clear bytes of a stored file, chunk by chunk; CorruptEvidence if tampered."""
    with path.open("rb") as fh:
        if fh.read(len(MAGIC)) != MAGIC:
            raise CorruptEvidence(f"{path.name}: not an evidence file")
        (klen,) = struct.unpack(">H", fh.read(2))
        try:
            token = fh.read(klen).decode()
            dek = base64.b64decode(keyring().decrypt(token, context=_KEY_CONTEXT))
        except Exception as exc:  # wrong key file, altered header
            raise CorruptEvidence(f"{path.name}: the data key cannot be unwrapped") from exc
        aead = AESGCM(dek)
        prefix = fh.read(8)
        index = 0
        while True:
            head = fh.read(4)
            if len(head) < 4:
                raise CorruptEvidence(f"{path.name}: truncated")
            (clen,) = struct.unpack(">I", head)
            sealed = fh.read(clen)
            final = fh.peek(1)[:1] == b""  # nothing after this chunk
            try:
                yield aead.decrypt(_nonce(prefix, index), sealed, _aad(index, final))
            except Exception as exc:
                raise CorruptEvidence(f"{path.name}: chunk {index} does not decrypt") from exc
            if final:
                return
            index += 1


def sha256_of(path: Path) -> str:
    """Re-hash the decrypted content (integrity check against the recorded hash)."""
    digest = hashlib.sha256()
    for chunk in read(path):
        digest.update(chunk)
    return digest.hexdigest()
