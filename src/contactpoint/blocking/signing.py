"""Ed25519 signatures of exports: the node key handling now lives in core.signing, shared
with takedown's authenticated timestamps; this module keeps blocking's names."""

from __future__ import annotations

from contactpoint.core.signing import (
    KEY_FILE,
    generate,
    key_path,
    load_or_create,
    public_pem,
    sign,
    verify,
)

__all__ = ["KEY_FILE", "generate", "key_path", "load_or_create", "public_pem", "sign", "verify"]
