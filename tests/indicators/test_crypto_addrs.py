"""Checksums against the published vectors (BIP-173, BIP-350, EIP-55, rend-spec-v3)."""

from __future__ import annotations

import pytest

from contactpoint.indicators import crypto_addrs as ca
from contactpoint.indicators.extract import extract


@pytest.mark.parametrize(
    "s",
    [
        "A12UEL5L",
        "a12uel5l",
        "abcdef1qpzry9x8gf2tvdw0s3jn54khce6mua7lmqqqxw",
        "split1checkupstagehandshakeupstreamerranterredcaperred2y9e3w",
    ],
)
def test_bip173_valid_bech32(s: str) -> None:
    dec = ca.bech32_decode(s)
    assert dec is not None and dec[2] == 1


@pytest.mark.parametrize(
    "s",
    [
        "A1LQFN3A",
        "a1lqfn3a",
        "abcdef1l7aum6echk45nj3s0wdvt2fg8x9yrzpqzd3ryx",
        "split1checkupstagehandshakeupstreamerranterredcaperredlc445v",
    ],
)
def test_bip350_valid_bech32m(s: str) -> None:
    dec = ca.bech32_decode(s)
    assert dec is not None and dec[2] == 0x2BC830A3


@pytest.mark.parametrize(
    "s", ["pzry9x0s0muk", "1pzry9x0s0muk", "x1b4n0q5v", "li1dgmt3", "A1G7SGD8"]
)
def test_bip173_invalid(s: str) -> None:
    assert ca.bech32_decode(s) is None


def test_segwit_v0_and_taproot() -> None:
    prog = bytes.fromhex("751e76e8199196d454941c45d1b3a323f1433bd6")
    addr = ca.segwit_encode("bc", 0, prog)
    assert addr == "bc1qw508d6qejxtdg4y5r3zarvary0c5xw7kv8f3t4"
    assert ca.btc_check(addr.upper()) == addr
    taproot = ca.segwit_encode("bc", 1, bytes(range(32)))
    assert ca.btc_check(taproot) == taproot
    # v1 encoded with the bech32 (not bech32m) constant is invalid per BIP-350
    bits = ca.convertbits(list(range(32)), 8, 5)
    assert bits is not None
    wrong = ca.bech32_encode("bc", [1, *bits], 1)
    assert ca.btc_check(wrong) is None


def test_base58check() -> None:
    assert ca.btc_check("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN2") is not None
    assert ca.btc_check("3J98t1WpEZ73CNmQviecrnyiWrnqRhWNLy") is not None
    assert ca.btc_check("1BvBMSEYstWetqTFn5Au4m4GFg7xJaNVN3") is None
    payload = b"\x00" + bytes(20)
    assert ca.b58decode_check(ca.b58encode_check(payload)) == payload


@pytest.mark.parametrize(
    "addr",
    [
        "0x5aAeb6053F3E94C9b9A09f33669435E7Ef1BeAed",
        "0xfB6916095ca1df60bB79Ce92cE3Ea74c37c5d359",
        "0xdbF03B407c01E7cD3CBea99509d93f8DDDC8C6FB",
        "0xD1220A0cf47c7B9Be7A2E6BA89F429762e7b9aDb",
    ],
)
def test_eip55_vectors(addr: str) -> None:
    assert ca.eip55(addr[2:]) == addr
    assert ca.eth_check(addr) == addr.lower()
    i = next(i for i in range(2, 42) if addr[i].isalpha())
    flipped = addr[:i] + addr[i].swapcase() + addr[i + 1 :]
    assert ca.eth_check(flipped) is None
    assert ca.eth_check(addr.lower()) == addr.lower()  # all-lowercase carries no checksum


def test_onion_v3_roundtrip() -> None:
    onion = ca.onion_encode(bytes(range(32)))
    assert len(onion) == 62 and ca.onion_check(onion[:-6])


def test_other_chains_plug_in() -> None:
    tron = ca.b58encode_check(b"\x41" + bytes(range(20)))
    assert ("trx", tron) in {(i.type, i.value) for i in extract(f"USDT to {tron} please")}
    import re

    ca.register_chain(
        ca.Chain("xtest", re.compile(r"\bXT-\d{6}\b"), lambda s: s.lower(), long_token=False)
    )
    try:
        assert ("xtest", "xt-123456") in {(i.type, i.value) for i in extract("pay XT-123456")}
    finally:
        del ca.CHAINS["xtest"]
