"""Attachment bytes: type detection by magic bytes and a content-addressed store on disk.

Pure apart from the file writes; no database. Files are named by their SHA-256 under
``<root>/ab/cd/<sha256>`` so identical uploads are stored once and a stored file can be
checked against its name at any time.
"""

from __future__ import annotations

import hashlib
import os
import re
import tempfile
from pathlib import Path

ALLOWED_TYPES = (
    "image/jpeg",
    "image/png",
    "image/gif",
    "image/webp",
    "application/pdf",
    "text/plain",
    "message/rfc822",
)

_MAGIC: list[tuple[bytes, int, str]] = [
    (b"\xff\xd8\xff", 0, "image/jpeg"),
    (b"\x89PNG\r\n\x1a\n", 0, "image/png"),
    (b"GIF87a", 0, "image/gif"),
    (b"GIF89a", 0, "image/gif"),
    (b"%PDF-", 0, "application/pdf"),
]
_HEADER_LINE = re.compile(rb"^[A-Za-z][A-Za-z0-9-]*:[ \t]")
_EML_HEADERS = (
    b"from:",
    b"received:",
    b"return-path:",
    b"message-id:",
    b"mime-version:",
    b"subject:",
    b"delivered-to:",
)


def sniff(content: bytes) -> str | None:
    """The detected media type, or None when it is not an allowed type.

    The sender's declared type is never trusted: a script renamed to .pdf is refused.
    """
    for magic, offset, ctype in _MAGIC:
        if content[offset : offset + len(magic)] == magic:
            return ctype
    if content[:4] == b"RIFF" and content[8:12] == b"WEBP":
        return "image/webp"
    if b"\x00" in content[:8192]:
        return None
    try:
        content.decode("utf-8")
    except UnicodeDecodeError:
        return None
    return "message/rfc822" if _looks_like_email(content) else "text/plain"


def _looks_like_email(content: bytes) -> bool:
    head = content.lstrip(b"\r\n").split(b"\n\n", 1)[0].split(b"\r\n\r\n", 1)[0]
    lines = [ln for ln in head.splitlines()[:60] if ln and ln[:1] not in (b" ", b"\t")]
    if not lines or not all(_HEADER_LINE.match(ln) for ln in lines):
        return False
    names = {ln.split(b":", 1)[0].lower() + b":" for ln in lines}
    return len(names.intersection(_EML_HEADERS)) >= 2


def sha256_hex(content: bytes) -> str:
    return hashlib.sha256(content).hexdigest()


def path_for(root: Path, sha: str) -> Path:
    if not re.fullmatch(r"[0-9a-f]{64}", sha):
        raise ValueError("not a SHA-256 hex digest")
    return root / sha[:2] / sha[2:4] / sha


def store(root: Path, content: bytes) -> str:
    """Write ``content`` once under its SHA-256 and return the digest.

    Written to a temporary file and renamed, so a reader never sees half a file. A file
    whose report is rolled back stays behind, harmless (it is only reachable by digest).
    """
    sha = sha256_hex(content)
    target = path_for(root, sha)
    if target.exists():
        return sha
    target.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=target.parent, prefix=".upload-")
    try:
        with os.fdopen(fd, "wb") as fh:
            fh.write(content)
        os.chmod(tmp, 0o640)
        os.replace(tmp, target)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise
    return sha
