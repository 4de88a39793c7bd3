"""Cryptocurrency addresses and onion services, each verified by its real checksum.

- Bitcoin: base58check P2PKH/P2SH (version 0x00/0x05) and segwit bech32 (BIP-173, witness v0)
  / bech32m (BIP-350, witness v1+), checksums per the BIPs' reference code.
- Ethereum: 0x + 40 hex; mixed case must match the EIP-55 checksum (Keccak-256).
- Tor onion v3: 56 base32 chars, version byte 3 and the SHA3-256 checksum (rend-spec-v3).

Other chains plug in through `register_chain()`; Tron (TRC-20 scams are common) is registered
here as the example.
"""

from __future__ import annotations

import base64
import hashlib
import re
from collections.abc import Callable
from dataclasses import dataclass

from Crypto.Hash import keccak

_B58 = "123456789ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnopqrstuvwxyz"
_B58_INDEX = {c: i for i, c in enumerate(_B58)}


def b58decode_check(s: str) -> bytes | None:
    """Payload (version byte included) of a base58check string, or None if invalid."""
    n = 0
    for c in s:
        i = _B58_INDEX.get(c)
        if i is None:
            return None
        n = n * 58 + i
    raw = n.to_bytes((n.bit_length() + 7) // 8, "big")
    pad = len(s) - len(s.lstrip("1"))
    raw = b"\0" * pad + raw
    if len(raw) < 5:
        return None
    payload, checksum = raw[:-4], raw[-4:]
    if hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4] != checksum:
        return None
    return payload


def b58encode_check(payload: bytes) -> str:
    """Base58check encoding (used by tests and the benchmark corpus generator)."""
    raw = payload + hashlib.sha256(hashlib.sha256(payload).digest()).digest()[:4]
    n = int.from_bytes(raw, "big")
    out = ""
    while n:
        n, r = divmod(n, 58)
        out = _B58[r] + out
    return "1" * (len(raw) - len(raw.lstrip(b"\0"))) + out


# --- bech32 / bech32m (BIP-173, BIP-350 reference implementation) ---
_CHARSET = "qpzry9x8gf2tvdw0s3jn54khce6mua7l"
_BECH32_CONST, _BECH32M_CONST = 1, 0x2BC830A3


def _polymod(values: list[int]) -> int:
    gen = (0x3B6A57B2, 0x26508E6D, 0x1EA119FA, 0x3D4233DD, 0x2A1462B3)
    chk = 1
    for v in values:
        top = chk >> 25
        chk = (chk & 0x1FFFFFF) << 5 ^ v
        for i in range(5):
            chk ^= gen[i] if ((top >> i) & 1) else 0
    return chk


def _hrp_expand(hrp: str) -> list[int]:
    return [ord(x) >> 5 for x in hrp] + [0] + [ord(x) & 31 for x in hrp]


def bech32_decode(addr: str) -> tuple[str, list[int], int] | None:
    """(hrp, data without checksum, const) for a valid bech32/bech32m string, else None."""
    if addr.lower() != addr and addr.upper() != addr:
        return None  # mixed case is invalid by BIP-173
    addr = addr.lower()
    pos = addr.rfind("1")
    if pos < 1 or pos + 7 > len(addr) or len(addr) > 90:
        return None
    hrp = addr[:pos]
    try:
        data = [_CHARSET.index(c) for c in addr[pos + 1 :]]
    except ValueError:
        return None
    const = _polymod(_hrp_expand(hrp) + data)
    if const not in (_BECH32_CONST, _BECH32M_CONST):
        return None
    return hrp, data[:-6], const


def bech32_encode(hrp: str, data: list[int], const: int) -> str:
    values = _hrp_expand(hrp) + data
    polymod = _polymod([*values, 0, 0, 0, 0, 0, 0]) ^ const
    checksum = [(polymod >> 5 * (5 - i)) & 31 for i in range(6)]
    return hrp + "1" + "".join(_CHARSET[d] for d in data + checksum)


def convertbits(data: list[int], frombits: int, tobits: int, pad: bool = True) -> list[int] | None:
    acc, bits, ret, maxv = 0, 0, [], (1 << tobits) - 1
    for value in data:
        if value < 0 or value >> frombits:
            return None
        acc = (acc << frombits) | value
        bits += frombits
        while bits >= tobits:
            bits -= tobits
            ret.append((acc >> bits) & maxv)
    if pad:
        if bits:
            ret.append((acc << (tobits - bits)) & maxv)
    elif bits >= frombits or ((acc << (tobits - bits)) & maxv):
        return None
    return ret


def segwit_decode(hrp: str, addr: str) -> tuple[int, bytes] | None:
    """(witness version, program) of a valid segwit address for `hrp`, else None."""
    dec = bech32_decode(addr)
    if dec is None or dec[0] != hrp or not dec[1]:
        return None
    _, data, const = dec
    version = data[0]
    prog = convertbits(data[1:], 5, 8, False)
    if prog is None or not 2 <= len(prog) <= 40 or version > 16:
        return None
    if version == 0 and len(prog) not in (20, 32):
        return None
    if (version == 0) != (const == _BECH32_CONST):
        return None  # v0 must be bech32, v1+ must be bech32m (BIP-350)
    return version, bytes(prog)


def segwit_encode(hrp: str, version: int, program: bytes) -> str:
    bits = convertbits(list(program), 8, 5)
    assert bits is not None
    const = _BECH32_CONST if version == 0 else _BECH32M_CONST
    return bech32_encode(hrp, [version, *bits], const)


def btc_check(addr: str) -> str | None:
    """Normalised bitcoin address (bech32 lowercased) or None."""
    if addr[:3].lower() == "bc1":
        return addr.lower() if segwit_decode("bc", addr) else None
    payload = b58decode_check(addr)
    if payload is None or len(payload) != 21 or payload[0] not in (0x00, 0x05):
        return None
    return addr


# --- Ethereum ---
def keccak256(data: bytes) -> bytes:
    return keccak.new(digest_bits=256, data=data).digest()


def eip55(addr_hex40: str) -> str:
    """The EIP-55 mixed-case checksum form of 40 hex digits (no 0x)."""
    lower = addr_hex40.lower()
    digest = keccak256(lower.encode("ascii")).hex()
    return "0x" + "".join(
        c.upper() if int(d, 16) >= 8 else c for c, d in zip(lower, digest[:40], strict=True)
    )


def eth_check(addr: str) -> str | None:
    """Lowercase 0x address, or None when mixed case fails the EIP-55 checksum."""
    body = addr[2:]
    if body != body.lower() and body != body.upper() and eip55(body) != "0x" + body:
        return None
    return "0x" + body.lower()


# --- Tor onion v3 ---
def onion_check(label: str) -> bool:
    """Whether a 56-char base32 label is a valid v3 onion address (version 3 + checksum)."""
    try:
        raw = base64.b32decode(label.upper())
    except ValueError:
        return False
    pubkey, checksum, version = raw[:32], raw[32:34], raw[34:]
    if version != b"\x03":
        return False
    return hashlib.sha3_256(b".onion checksum" + pubkey + version).digest()[:2] == checksum


def onion_encode(pubkey: bytes) -> str:
    checksum = hashlib.sha3_256(b".onion checksum" + pubkey + b"\x03").digest()[:2]
    return base64.b32encode(pubkey + checksum + b"\x03").decode("ascii").lower() + ".onion"


# --- registry of chains ---
@dataclass(frozen=True)
class Chain:
    """A wallet type: `pattern` finds candidates (bounded, anchored on non-alphanumerics),
    `check` returns the normalised address or None. `long_token` says every address is one
    run of 26+ ASCII letters/digits, so the pattern only needs to run inside such runs."""

    type: str
    pattern: re.Pattern[str]
    check: Callable[[str], str | None]
    long_token: bool = True


def _edge(body: str) -> re.Pattern[str]:
    return re.compile(rf"(?<![0-9A-Za-z]){body}(?![0-9A-Za-z])")


def tron_check(addr: str) -> str | None:
    payload = b58decode_check(addr)
    return addr if payload is not None and len(payload) == 21 and payload[0] == 0x41 else None


CHAINS: dict[str, Chain] = {}


def register_chain(chain: Chain) -> None:
    """Add (or replace) a wallet type; `extract()` picks it up at once."""
    CHAINS[chain.type] = chain


register_chain(
    Chain(
        "btc",
        _edge(r"(?:[13][1-9A-HJ-NP-Za-km-z]{25,34}|(?:bc1|BC1)[02-9ac-hj-np-zAC-HJ-NP-Z]{11,71})"),
        btc_check,
    )
)
register_chain(Chain("eth", _edge(r"0x[0-9a-fA-F]{40}"), eth_check))
register_chain(Chain("trx", _edge(r"T[1-9A-HJ-NP-Za-km-z]{33}"), tron_check))
