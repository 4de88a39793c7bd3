"""Safe Browsing URL canonicalisation and suffix/prefix expressions (pure).

Follows Google's "URLs and Hashing" specification (Safe Browsing v4, also Web Risk):
remove tab/CR/LF and the fragment, percent-unescape until nothing changes, normalise the
host (dots, IPv4 forms, case, IDNA to punycode) and the path (``.``/``..``, repeated
slashes), then percent-escape bytes <= 0x20, >= 0x7F, ``#`` and ``%``.

Two choices beyond the text, both for idempotency (canonicalising a canonical URL changes
nothing, which the property tests check): ``?`` in a path and ``/ ? @ :`` in a host are
escaped too, since they would otherwise change how the next pass splits the URL.

Everything works on bytes: a URL given as ``str`` is UTF-8 encoded first.
"""

from __future__ import annotations

import contextlib
import re

import idna

_SCHEME = re.compile(rb"^([a-zA-Z][a-zA-Z0-9+.\-]*)://")
_ESCAPE_SEQ = re.compile(rb"%([0-9a-fA-F]{2})")
_DOTS = re.compile(rb"\.{2,}")
_HEX = "0123456789ABCDEF"


def _escape_table(extra: bytes) -> list[str]:
    out = []
    for b in range(256):
        if b <= 0x20 or b >= 0x7F or b in b"#%" or b in extra:
            out.append(f"%{_HEX[b >> 4]}{_HEX[b & 15]}")
        else:
            out.append(chr(b))
    return out


_PATH_ESC = _escape_table(b"?")
_QUERY_ESC = _escape_table(b"")
_HOST_ESC = _escape_table(b"/?@:\\")


# What each table escapes, as a regex: most input has none of it and skips the byte loop.
_NEEDS = {
    "path": re.compile(rb"[^\x21-\x7e]|[#%?]"),
    "query": re.compile(rb"[^\x21-\x7e]|[#%]"),
    "host": re.compile(rb"[^\x21-\x7e]|[#%/?@:\\]"),
}
_TABLES = {"path": _PATH_ESC, "query": _QUERY_ESC, "host": _HOST_ESC}


def _escape(data: bytes, part: str) -> str:
    if _NEEDS[part].search(data) is None:
        return data.decode("ascii")
    table = _TABLES[part]
    return "".join([table[b] for b in data])


def unescape_fully(data: bytes) -> bytes:
    """Percent-unescape until no valid ``%XX`` is left (each pass shortens the data)."""
    while b"%" in data:
        new = _ESCAPE_SEQ.sub(lambda m: bytes([int(m.group(1), 16)]), data)
        if new == data:
            break
        data = new
    return data


def _ipv4_part(part: bytes) -> int | None:
    try:
        if part[:2] in (b"0x", b"0X"):
            return int(part[2:] or b"0", 16)
        if len(part) > 1 and part[:1] == b"0":
            return int(part, 8)
        return int(part, 10) if part.isdigit() else None
    except ValueError:
        return None


def parse_ipv4(host: bytes) -> str | None:
    """Any legal inet_aton form (octal, hex, fewer than four parts) to dotted decimal."""
    parts = host.split(b".")
    if not 1 <= len(parts) <= 4 or not all(parts):
        return None
    nums = [_ipv4_part(p) for p in parts]
    if any(n is None for n in nums):
        return None
    values: list[int] = [n for n in nums if n is not None]
    head, last = values[:-1], values[-1]
    if any(n > 255 for n in head) or last >= 256 ** (5 - len(values)):
        return None
    addr = 0
    for n in head:
        addr = addr << 8 | n
    addr = addr << (8 * (5 - len(values))) | last
    return ".".join(str((addr >> s) & 255) for s in (24, 16, 8, 0))


def canonical_host(raw: bytes) -> str:
    host = unescape_fully(raw).strip(b".")
    host = _DOTS.sub(b".", host).lower()
    if host.startswith(b"[") and host.endswith(b"]"):
        return _escape(host, "path")  # a bracketed IPv6 literal, kept as written
    ip = parse_ipv4(host)
    if ip is not None:
        return ip
    if not host.isascii():
        # Not a valid IDN: left as it is, and escaped byte by byte below.
        with contextlib.suppress(UnicodeError, idna.IDNAError, ValueError):
            host = idna.encode(host.decode("utf-8"), uts46=True).lower()
    return _escape(host, "host")


def canonical_path(raw: bytes) -> str:
    path = unescape_fully(raw)
    segments = path.split(b"/")
    out: list[bytes] = []
    for seg in segments[1:]:
        if seg in (b"", b"."):
            continue
        if seg == b"..":
            if out:
                out.pop()
            continue
        out.append(seg)
    trailing = path.endswith(b"/") or segments[-1] in (b".", b"..")
    result = b"/" + b"/".join(out) + (b"/" if out and trailing else b"")
    return _escape(result, "path")


def split(url: str | bytes) -> tuple[str, str, str, str | None]:
    """(scheme, canonical host, canonical path, canonical query or None)."""
    data = url.encode("utf-8") if isinstance(url, str) else url
    data = data.strip(b" \t\r\n\x0b\x0c").translate(None, b"\t\r\n")
    data = data.split(b"#", 1)[0]
    m = _SCHEME.match(data)
    if m:
        scheme, rest = m.group(1).lower().decode("ascii"), data[m.end() :]
    else:
        scheme, rest = "http", data
    cut = len(rest)
    for sep in (b"/", b"?"):
        idx = rest.find(sep)
        if 0 <= idx < cut:
            cut = idx
    authority, tail = rest[:cut], rest[cut:]
    authority = authority.rsplit(b"@", 1)[-1]  # user info never reaches the host
    if not authority.startswith(b"["):
        authority = authority.split(b":", 1)[0]  # the port is dropped
    elif b"]" in authority:
        authority = authority[: authority.index(b"]") + 1]
    path, sep, query = tail.partition(b"?")
    host = canonical_host(authority)
    return (
        scheme,
        host,
        canonical_path(path or b"/"),
        _escape(unescape_fully(query), "query") if sep else None,
    )


def canonicalize(url: str | bytes) -> str:
    """The canonical URL, e.g. ``http://host/%25%32%35`` -> ``http://host/%25``."""
    scheme, host, path, query = split(url)
    return f"{scheme}://{host}{path}" + (f"?{query}" if query is not None else "")


def _host_suffixes(host: str) -> list[str]:
    if (host[-1:].isdigit() and parse_ipv4(host.encode()) == host) or host.startswith("["):
        return [host]
    labels = host.split(".")
    out = [host]
    # At most four more: from the last five components, dropping one at a time, never the TLD.
    start = max(1, len(labels) - 5)
    for i in range(start, len(labels) - 1):
        out.append(".".join(labels[i:]))
    return out


def _path_prefixes(path: str, query: str | None) -> list[str]:
    out = []
    if query is not None:
        out.append(f"{path}?{query}")
    out.append(path)
    parts = path.split("/")[1:-1]  # directories only; the last part is the file or ""
    prefix = "/"
    prefixes = [prefix]
    for part in parts[:3]:
        prefix += part + "/"
        prefixes.append(prefix)
    for p in prefixes:
        if p not in out:
            out.append(p)
    return out


def expressions(url: str | bytes) -> list[str]:
    """The suffix/prefix expressions (host suffix x path prefix, at most 5 x 6) of a URL."""
    _scheme, host, path, query = split(url)
    paths = _path_prefixes(path, query)
    return [h + p for h in _host_suffixes(host) for p in paths]


def canonical_expressions(url: str) -> list[str]:
    """:func:`expressions` of a URL that is canonical already (the output of
    :func:`canonicalize`): no second canonicalisation, so lookups stay fast."""
    rest = url.split("://", 1)[-1]
    cut = rest.find("/")
    host, tail = (rest, "/") if cut < 0 else (rest[:cut], rest[cut:])
    path, sep, query = tail.partition("?")
    paths = _path_prefixes(path, query if sep else None)
    return [h + p for h in _host_suffixes(host) for p in paths]


def entry_expression(url: str | bytes) -> str:
    """The one expression a blocklisted URL is stored as: canonical host, path and query."""
    _scheme, host, path, query = split(url)
    return host + path + (f"?{query}" if query is not None else "")
