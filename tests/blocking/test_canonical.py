"""Safe Browsing canonicalisation against Google's published vectors ("URLs and Hashing",
developers.google.com/safe-browsing/v4/urls-hashing), plus property tests."""

from __future__ import annotations

import hashlib

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from contactpoint.blocking.canonical import (
    canonical_expressions,
    canonicalize,
    entry_expression,
    expressions,
)

VECTORS: list[tuple[str | bytes, str]] = [
    ("http://host/%25%32%35", "http://host/%25"),
    ("http://host/%25%32%35%25%32%35", "http://host/%25%25"),
    ("http://host/%2525252525252525", "http://host/%25"),
    ("http://host/asdf%25%32%35asd", "http://host/asdf%25asd"),
    ("http://host/%%%25%32%35asd%%", "http://host/%25%25%25asd%25%25"),
    ("http://www.google.com/", "http://www.google.com/"),
    (
        "http://%31%36%38%2e%31%38%38%2e%39%39%2e%32%36/%2E%73%65%63%75%72%65/"
        "%77%77%77%2E%65%62%61%79%2E%63%6F%6D/",
        "http://168.188.99.26/.secure/www.ebay.com/",
    ),
    (
        "http://195.127.0.11/uploads/%20%20%20%20/.verify/"
        ".eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
        "http://195.127.0.11/uploads/%20%20%20%20/.verify/"
        ".eBaysecure=updateuserdataxplimnbqmn-xplmvalidateinfoswqpcmlx=hgplmcx/",
    ),
    (
        "http://host%23.com/%257Ea%2521b%2540c%2523d%2524e%25f%255E00%252611%252A22"
        "%252833%252944_55%252B",
        "http://host%23.com/~a!b@c%23d$e%25f^00&11*22(33)44_55+",
    ),
    ("http://3279880203/blah", "http://195.127.0.11/blah"),
    ("http://www.google.com/blah/..", "http://www.google.com/"),
    ("www.google.com/", "http://www.google.com/"),
    ("www.google.com", "http://www.google.com/"),
    ("http://www.evil.com/blah#frag", "http://www.evil.com/blah"),
    ("http://www.GOOgle.com/", "http://www.google.com/"),
    ("http://www.google.com.../", "http://www.google.com/"),
    ("http://www.google.com/foo\tbar\rbaz\n2", "http://www.google.com/foobarbaz2"),
    ("http://www.google.com/q?", "http://www.google.com/q?"),
    ("http://www.google.com/q?r?", "http://www.google.com/q?r?"),
    ("http://www.google.com/q?r?s", "http://www.google.com/q?r?s"),
    ("http://evil.com/foo#bar#baz", "http://evil.com/foo"),
    ("http://evil.com/foo;", "http://evil.com/foo;"),
    ("http://evil.com/foo?bar;", "http://evil.com/foo?bar;"),
    (b"http://\x01\x80.com/", "http://%01%80.com/"),
    ("http://notrailingslash.com", "http://notrailingslash.com/"),
    ("http://www.gotaport.com:1234/", "http://www.gotaport.com/"),
    ("  http://www.google.com/  ", "http://www.google.com/"),
    ("http:// leadingspace.com/", "http://%20leadingspace.com/"),
    ("http://%20leadingspace.com/", "http://%20leadingspace.com/"),
    ("%20leadingspace.com/", "http://%20leadingspace.com/"),
    ("https://www.securesite.com/", "https://www.securesite.com/"),
    ("http://host.com/ab%23cd", "http://host.com/ab%23cd"),
    ("http://host.com//twoslashes?more//slashes", "http://host.com/twoslashes?more//slashes"),
]


@pytest.mark.parametrize(("raw", "expected"), VECTORS)
def test_google_vectors(raw: str | bytes, expected: str) -> None:
    assert canonicalize(raw) == expected


def test_more_ip_forms_and_idn() -> None:
    assert canonicalize("http://0x7f.1/") == "http://127.0.0.1/"
    assert canonicalize("http://0177.0.0.1/x") == "http://127.0.0.1/x"
    assert canonicalize("http://Bücher.example/") == "http://xn--bcher-kva.example/"
    assert canonicalize("http://user:pw@Host.com:8080/a/./b/../c") == "http://host.com/a/c"


def test_expressions_match_the_published_examples() -> None:
    assert set(expressions("http://a.b.c/1/2.html?param=1")) == {
        "a.b.c/1/2.html?param=1",
        "a.b.c/1/2.html",
        "a.b.c/",
        "a.b.c/1/",
        "b.c/1/2.html?param=1",
        "b.c/1/2.html",
        "b.c/",
        "b.c/1/",
    }
    assert set(expressions("http://a.b.c.d.e.f.g/1.html")) == {
        f"{h}/{p}"
        for h in ("a.b.c.d.e.f.g", "c.d.e.f.g", "d.e.f.g", "e.f.g", "f.g")
        for p in ("1.html", "")
    }
    assert set(expressions("http://1.2.3.4/1/")) == {"1.2.3.4/1/", "1.2.3.4/"}
    assert expressions("http://a.b/1/2/3/4/5/6.html")[-1] == "a.b/1/2/3/"
    assert len(expressions("http://a.b.c.d.e.f.g/1/2/3/4/5/x?q")) == 30


def test_published_hash_example() -> None:
    # The spec's worked example: SHA-256("abc") starts with ba7816bf.
    assert hashlib.sha256(b"abc").digest()[:4].hex() == "ba7816bf"
    assert entry_expression("HTTP://Evil.COM/Path/x?y#z") == "evil.com/Path/x?y"


_PIECES = [*"abcXYZ019.-/?#%:@ _~;=&\t\u00e9\u0430", "%25", "%2e", "%2F", "%3F", "..", "//"]
url_chars = st.lists(st.sampled_from(_PIECES), max_size=30).map("".join)


@settings(max_examples=500, deadline=None)
@given(scheme=st.sampled_from(["", "http://", "HTTPS://"]), rest=url_chars)
def test_canonicalisation_is_idempotent(scheme: str, rest: str) -> None:
    once = canonicalize(scheme + rest)
    assert canonicalize(once) == once


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=60))
def test_any_bytes_canonicalise_to_printable_ascii(raw: bytes) -> None:
    out = canonicalize(raw)
    assert out.isascii() and all(0x20 < ord(c) < 0x7F for c in out)
    assert canonicalize(out) == out
    assert len(expressions(out)) <= 30


@settings(max_examples=300, deadline=None)
@given(scheme=st.sampled_from(["", "http://", "HTTPS://"]), rest=url_chars)
def test_fast_expressions_of_canonical_urls_agree(scheme: str, rest: str) -> None:
    url = scheme + rest
    assert canonical_expressions(canonicalize(url)) == expressions(url)
