"""Key rotation: re-encrypt every EncryptedString column under a new active key."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import Table, select, update
from sqlalchemy.orm import Session, sessionmaker

from contactpoint.core import crypto
from contactpoint.core.crypto import EncryptedString, Keyring
from contactpoint.core.db import Base, transaction


def encrypted_columns() -> list[tuple[Table, str]]:
    from contactpoint.core import models_registry  # noqa: F401  (every table known)

    out = []
    for table in Base.metadata.sorted_tables:
        for col in table.columns:
            if isinstance(col.type, EncryptedString):
                out.append((table, col.name))
    return out


def rotate(factory: sessionmaker[Session], ring: Keyring, path: Path) -> tuple[int, str]:
    """Save the new key first, so a crash mid-way leaves data readable under either key."""
    kid = ring.add_key()
    ring.save(path)
    crypto.configure(ring)
    count = 0
    for table, name in encrypted_columns():
        pk = next(iter(table.primary_key.columns))
        col = table.c[name]
        with transaction(factory) as session:
            # Read raw ciphertext: select with the column's impl type to skip decryption.
            rows = session.execute(select(pk, col.cast(col.type.impl))).all()  # type: ignore[attr-defined]
            for key, raw in rows:
                if raw is None or ring.key_id_of(raw) == kid:
                    continue
                session.execute(update(table).where(pk == key).values({name: ring.decrypt(raw)}))
                count += 1
    return count, kid
