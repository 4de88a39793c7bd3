"""Adapters for the peer extractors: each returns [(our type, value as the peer wrote it)].

Installed only for the benchmark (`pip install -e ".[bench]"`, done by `make bench`).
Values are compared after OUR normaliser (refang, lowercase host, E.164...), so the peers
are not penalised for writing the same indicator differently.
"""

from __future__ import annotations

from collections.abc import Callable

Pairs = list[tuple[str, str]]
Adapter = Callable[[str, str], Pairs]

# Types each tool claims to extract; F1 is compared only on these.
SUPPORTED: dict[str, set[str]] = {
    "iocsearcher": {"url", "domain", "ipv4", "ipv6", "email", "phone", "iban", "btc", "eth",
                    "md5", "sha1", "sha256", "onion", "messenger"},
    "ioc-finder": {"url", "domain", "ipv4", "ipv6", "email", "btc", "md5", "sha1", "sha256",
                   "onion"},
    "iocextract": {"url", "ipv4", "ipv6", "email", "phone", "md5", "sha1", "sha256"},
}  # fmt: skip


def _iocsearcher() -> Adapter:
    from iocsearcher.searcher import Searcher  # type: ignore[import-not-found]

    searcher = Searcher()
    names = {"url": "url", "fqdn": "domain", "ip4": "ipv4", "ip6": "ipv6", "email": "email",
             "phoneNumber": "phone", "iban": "iban", "bitcoin": "btc", "ethereum": "eth",
             "md5": "md5", "sha1": "sha1", "sha256": "sha256", "onionAddress": "onion"}  # fmt: skip

    def run(text: str, country: str) -> Pairs:
        out: Pairs = []
        for ioc in searcher.search_data(text):
            name, value = ioc.name, str(ioc.value)
            if name == "telegramHandle":
                out.append(("messenger", "telegram:" + value))
            elif name == "whatsappHandle":
                out.append(("messenger", "whatsapp:+" + value.lstrip("+")))
            elif name == "onionAddress":  # it reports the 56-char label without ".onion"
                out.append(("onion", value if value.endswith(".onion") else value + ".onion"))
            elif name in names:
                out.append((names[name], value))
        return out

    return run


def _ioc_finder() -> Adapter:
    from ioc_finder import find_iocs  # type: ignore[import-not-found]
    from ioc_finder.ioc_finder import DEFAULT_IOC_TYPES  # type: ignore[import-not-found]

    keys = {"urls": "url", "domains": "domain", "ipv4s": "ipv4", "ipv6s": "ipv6",
            "email_addresses": "email", "bitcoin_addresses": "btc", "md5s": "md5",
            "sha1s": "sha1", "sha256s": "sha256"}  # fmt: skip

    types = [*DEFAULT_IOC_TYPES, "bitcoin_addresses"]

    def run(text: str, country: str) -> Pairs:
        # Options closest to our conventions: no domain out of an e-mail address and no URL
        # without a scheme (both would count as false positives against our gold).
        # bitcoin_addresses is not in its default set; Unicode domains are off by default.
        found = find_iocs(
            text,
            parse_domain_from_email_address=False,
            parse_urls_without_scheme=False,
            parse_unicode_iocs=True,
            included_ioc_types=types,
        )
        out: Pairs = []
        for key, type_ in keys.items():
            for value in found.get(key, []):
                if type_ == "domain" and value.lower().endswith(".onion"):
                    out.append(("onion", value))
                else:
                    out.append((type_, value))
        return out

    return run


def _iocextract() -> Adapter:
    import iocextract  # type: ignore[import-not-found]

    def run(text: str, country: str) -> Pairs:
        out: Pairs = []
        out += [("url", v) for v in iocextract.extract_urls(text, refang=True)]
        out += [("ipv4", v) for v in iocextract.extract_ipv4s(text, refang=True)]
        out += [("ipv6", v) for v in iocextract.extract_ipv6s(text)]
        out += [("email", v) for v in iocextract.extract_emails(text, refang=True)]
        out += [("md5", v) for v in iocextract.extract_md5_hashes(text)]
        out += [("sha1", v) for v in iocextract.extract_sha1_hashes(text)]
        out += [("sha256", v) for v in iocextract.extract_sha256_hashes(text)]
        out += [("phone", v) for v in iocextract.extract_telephone_nums(text)]
        return out

    return run


def load() -> tuple[dict[str, Adapter], dict[str, str]]:
    """Adapters for the peers that import, and the reason for those that do not."""
    adapters: dict[str, Adapter] = {}
    missing: dict[str, str] = {}
    for name, make in (("iocsearcher", _iocsearcher), ("ioc-finder", _ioc_finder),
                       ("iocextract", _iocextract)):  # fmt: skip
        try:
            adapters[name] = make()
        except Exception as exc:
            missing[name] = f"{type(exc).__name__}: {exc}"
    return adapters, missing


def versions() -> dict[str, str]:
    from importlib.metadata import PackageNotFoundError, version

    out = {}
    for dist in ("iocsearcher", "ioc-finder", "iocextract"):
        try:
            out[dist] = version(dist)
        except PackageNotFoundError:
            out[dist] = "not installed"
    return out
