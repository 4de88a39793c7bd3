"""The encrypted evidence store as a property: what goes in comes out, and any changed
byte of a stored file is detected."""

from __future__ import annotations

import io
import tempfile
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactpoint.cases import vault
from contactpoint.core import crypto

BOUNDARY_SIZES = [1, vault.CHUNK - 1, vault.CHUNK, vault.CHUNK + 1, 2 * vault.CHUNK]


@pytest.fixture(autouse=True)
def _keys(keyring: crypto.Keyring) -> None:
    crypto.configure(keyring)


@settings(max_examples=60, deadline=None)
@given(
    st.one_of(
        st.binary(min_size=1, max_size=300),
        st.sampled_from(BOUNDARY_SIZES).map(lambda n: bytes(i % 251 for i in range(n))),
    )
)
def test_round_trip(content: bytes) -> None:
    with tempfile.TemporaryDirectory() as tmp:
        stored = vault.write(Path(tmp), io.BytesIO(content), max_bytes=len(content))
        assert b"".join(vault.read(stored.path)) == content
        assert vault.sha256_of(stored.path) == stored.sha256
        assert stored.size == len(content)


@settings(max_examples=120, deadline=None)
@given(position=st.floats(min_value=0, max_value=1, exclude_max=True), bit=st.integers(0, 7))
def test_any_changed_byte_is_detected(position: float, bit: int) -> None:
    content = bytes(i % 251 for i in range(vault.CHUNK + 100))  # two chunks
    with tempfile.TemporaryDirectory() as tmp:
        stored = vault.write(Path(tmp), io.BytesIO(content), max_bytes=len(content))
        raw = bytearray(stored.path.read_bytes())
        raw[int(position * len(raw))] ^= 1 << bit
        stored.path.write_bytes(bytes(raw))
        with pytest.raises(vault.CorruptEvidence):
            b"".join(vault.read(stored.path))


def test_a_file_cut_at_a_chunk_boundary_is_detected(tmp_path: Path) -> None:
    content = bytes(3 * vault.CHUNK)
    stored = vault.write(tmp_path, io.BytesIO(content), max_bytes=len(content))
    raw = stored.path.read_bytes()
    one_chunk = 4 + vault.CHUNK + 16  # length prefix, ciphertext, GCM tag
    stored.path.write_bytes(raw[:-one_chunk])  # drop the last chunk whole
    with pytest.raises(vault.CorruptEvidence, match="chunk 1"):
        b"".join(vault.read(stored.path))
