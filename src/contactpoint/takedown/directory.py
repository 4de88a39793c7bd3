"""The provider directory service: who hosts a URL, and keeping the directory.

``resolve_url`` is what the notices service calls to address a notice: the longest
registered domain suffix of the URL's host wins; failing that, the URL's IP literal or the
resolver's addresses are looked up by longest network prefix. Editing functions take an
actor, check ``providers:manage`` and record an audit entry; they never commit.
"""

from __future__ import annotations

import ipaddress
import re
import socket
import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any, TypeVar
from urllib.parse import urlsplit

import dns.exception
import dns.resolver
from sqlalchemy import func, or_, select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.core import audit
from contactpoint.core.actor import SYSTEM, Actor
from contactpoint.core.errors import Conflict, Forbidden, InvalidInput, NotFound
from contactpoint.indicators import domains
from contactpoint.takedown import directory_net as netaddr
from contactpoint.takedown.directory_models import (
    Provider,
    ProviderDomain,
    ProviderKind,
    ProviderNetwork,
)

_SCHEME = re.compile(r"[a-z][a-z0-9+.-]*:(?!\d)", re.IGNORECASE)
# Letters, digits, hyphen (and underscore, seen in real host names) in every label.
_LDH = re.compile(r"[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?(\.[a-z0-9_]([a-z0-9_-]*[a-z0-9_])?)+")
Resolver = Callable[[str], list[str]]  # host -> IP addresses


class BadTarget(InvalidInput):
    """A URL, host or address that cannot be looked up (422 over HTTP)."""


@dataclass(frozen=True)
class Resolution:
    provider: Provider
    matched_by: str  # "domain" | "ip"
    matched: str  # e.g. "example.org" or "192.0.2.0/24 (AS64500)"
    ip: str | None  # the address used, if any


# --- permissions -------------------------------------------------------------------------


def may_read(actor: Actor) -> bool:
    return actor is SYSTEM or actor.can("providers:manage") or actor.can("takedown:manage")


def may_edit(actor: Actor) -> bool:
    return actor is SYSTEM or actor.can("providers:manage")


def require_read(actor: Actor) -> None:
    if not may_read(actor):
        raise Forbidden("reading the provider directory needs takedown:manage or providers:manage")


def require_edit(actor: Actor) -> None:
    if not may_edit(actor):
        raise Forbidden("changing the provider directory needs providers:manage")


# --- pure validation ---------------------------------------------------------------------


def clean_domain(text: str, field: str = "domain") -> str:
    """A domain in its IDNA (punycode), lower-case form, or BadTarget naming the field."""
    name = domains.normalise(text)
    forms = domains.check(name, in_url=True) if name else None
    if forms is None or not _LDH.fullmatch(forms[1]):
        raise BadTarget(
            f"{field}: '{text}' is not a domain name under a public suffix",
            errors=[{"field": field, "message": f"'{text}' is not a domain name"}],
        )
    return forms[1]


def clean_ip(text: str, field: str = "ip") -> netaddr.IPAddress:
    try:
        addr = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        raise BadTarget(
            f"{field}: '{text}' is not an IP address",
            errors=[{"field": field, "message": "not an IP address"}],
        ) from None
    if addr.version == 6 and addr.ipv4_mapped is not None:
        addr = addr.ipv4_mapped
    if not netaddr.is_public(addr):
        raise BadTarget(
            f"{field}: {addr} is a private, reserved or special-purpose address; "
            "no provider on the internet hosts it",
            errors=[{"field": field, "message": "private or reserved address"}],
        )
    return addr


def split_url(url: str, field: str = "url") -> tuple[str, netaddr.IPAddress | None]:
    """(host, IP literal or None) of an http(s) URL; BadTarget says what is wrong."""
    raw = url.strip()
    try:
        # "example.org/x" is taken as http; "mailto:..." keeps its scheme and is refused.
        bare = "://" not in raw and not _SCHEME.match(raw)
        parts = urlsplit("http://" + raw if bare else raw)
        parts.port  # noqa: B018  (raises on a bad port)
    except ValueError as exc:
        raise BadTarget(
            f"{field}: '{raw}' is not a URL: {exc}",
            errors=[{"field": field, "message": f"not a URL: {exc}"}],
        ) from None
    if parts.scheme.lower() not in ("http", "https", "ftp") or not parts.hostname:
        raise BadTarget(
            f"{field}: '{raw}' is not an http(s) URL with a host",
            errors=[{"field": field, "message": "not an http(s) URL with a host"}],
        )
    host = parts.hostname
    try:
        ipaddress.ip_address(host.strip("[]"))
    except ValueError:
        return clean_domain(host, field), None
    addr = clean_ip(host, field)
    return str(addr), addr


# --- resolution --------------------------------------------------------------------------


def default_resolver(host: str, timeout: float = 2.0) -> list[str]:
    """The host's addresses through DNS within about `timeout` seconds in all, or [] on any
    failure (no network, NXDOMAIN, timeout...)."""
    try:
        res = dns.resolver.Resolver()
    except dns.exception.DNSException:  # no resolver configuration: ask the system
        try:
            infos = socket.getaddrinfo(host, None, proto=socket.IPPROTO_TCP)
        except (OSError, UnicodeError):
            return []
        return list(dict.fromkeys(str(i[4][0]) for i in infos))
    res.lifetime = timeout / 2  # for each of A and AAAA
    out: list[str] = []
    for rdtype in ("A", "AAAA"):
        try:
            out += [r.to_text() for r in res.resolve(host, rdtype)]
        except dns.exception.DNSException:  # NXDOMAIN, no answer, timeout: nothing here
            continue
    return out


def _suffixes(host: str) -> list[str]:
    labels = host.split(".")
    return [".".join(labels[i:]) for i in range(len(labels) - 1)]


def match_domain(session: Session, host: str) -> tuple[Provider, str] | None:
    """The active provider with the longest registered suffix of `host` (punycode form)."""
    candidates = _suffixes(host)
    if not candidates:
        return None
    rows = session.execute(
        select(ProviderDomain.domain, Provider)
        .join(Provider, Provider.id == ProviderDomain.provider_id)
        .where(ProviderDomain.domain.in_(candidates), Provider.active.is_(True))
    ).all()
    if not rows:
        return None
    domain, provider = max(rows, key=lambda r: len(r[0]))
    return provider, domain


def match_ip(session: Session, addr: netaddr.IPAddress) -> tuple[Provider, ProviderNetwork] | None:
    """The active provider whose network is the longest prefix containing `addr`."""
    here = netaddr.hexkey(netaddr.key(addr))
    row = session.execute(
        select(ProviderNetwork, Provider)
        .join(Provider, Provider.id == ProviderNetwork.provider_id)
        .where(
            ProviderNetwork.range_start.in_(netaddr.candidate_starts(addr)),
            ProviderNetwork.range_end >= here,
            Provider.active.is_(True),
        )
        .order_by(ProviderNetwork.prefix_len.desc())
        .limit(1)
    ).first()
    if row is None:
        return None
    return row[1], row[0]


def _network_label(net: ProviderNetwork) -> str:
    return f"{net.cidr} (AS{net.asn})" if net.asn is not None else net.cidr


def resolve_url(
    session: Session, url: str, *, resolver: Resolver | None = None
) -> Resolution | None:
    """The provider hosting `url`, and how it was found; None when the directory has none.

    BadTarget (422) when the URL does not parse, its host is not a domain, or it is a
    private or reserved address."""
    host, literal = split_url(url)
    if literal is None:
        found = match_domain(session, host)
        if found is not None:
            return Resolution(found[0], "domain", found[1], None)
        addresses: list[netaddr.IPAddress] = []
        for text in (resolver or default_resolver)(host):
            try:
                addr = ipaddress.ip_address(text)
            except ValueError:
                continue
            if addr.version == 6 and addr.ipv4_mapped is not None:
                addr = addr.ipv4_mapped
            if netaddr.is_public(addr):  # a name pointing at 10.x is no provider's
                addresses.append(addr)
    else:
        addresses = [literal]
    for addr in addresses:
        hit = match_ip(session, addr)
        if hit is not None:
            return Resolution(hit[0], "ip", _network_label(hit[1]), str(addr))
    return None


# --- reading -----------------------------------------------------------------------------


def get_provider(session: Session, actor: Actor, provider_id: uuid.UUID) -> Provider:
    require_read(actor)
    provider = session.get(Provider, provider_id)
    if provider is None:
        raise NotFound(f"no provider with id {provider_id}")
    return provider


def find_by_name(session: Session, name: str) -> Provider | None:
    return session.scalars(select(Provider).where(Provider.name == name.strip())).first()


def list_providers(
    session: Session,
    actor: Actor,
    *,
    q: str | None = None,
    kind: str | None = None,
    country: str | None = None,
    active: bool | None = None,
    asn: int | None = None,
    after: str | None = None,
    limit: int = 100,
) -> list[Provider]:
    """Providers by name; `q` searches names, domains and abuse contacts; `after` is the
    last name of the previous page (cursor)."""
    require_read(actor)
    stmt = select(Provider)
    if q:
        like = f"%{q.strip().lower()}%"
        in_domains = select(ProviderDomain.provider_id).where(ProviderDomain.domain.like(like))
        stmt = stmt.where(
            or_(
                func.lower(Provider.name).like(like),
                func.lower(Provider.abuse_email).like(like),
                Provider.id.in_(in_domains),
            )
        )
    if kind:
        stmt = stmt.where(Provider.kind == ProviderKind(kind))
    if country:
        stmt = stmt.where(Provider.country == country.strip().upper())
    if active is not None:
        stmt = stmt.where(Provider.active.is_(active))
    if asn is not None:
        stmt = stmt.where(
            Provider.id.in_(select(ProviderNetwork.provider_id).where(ProviderNetwork.asn == asn))
        )
    if after:
        stmt = stmt.where(Provider.name > after)
    return list(session.scalars(stmt.order_by(Provider.name).limit(limit)))


def networks_of(
    session: Session, provider_id: uuid.UUID, limit: int | None = None
) -> list[ProviderNetwork]:
    stmt = (
        select(ProviderNetwork)
        .where(ProviderNetwork.provider_id == provider_id)
        .order_by(ProviderNetwork.range_start, ProviderNetwork.prefix_len)
    )
    return list(session.scalars(stmt if limit is None else stmt.limit(limit)))


def count_networks(session: Session, provider_id: uuid.UUID) -> int:
    stmt = select(func.count()).where(ProviderNetwork.provider_id == provider_id)
    return session.scalar(stmt) or 0


def domains_of(session: Session, provider_id: uuid.UUID) -> list[ProviderDomain]:
    return list(
        session.scalars(
            select(ProviderDomain)
            .where(ProviderDomain.provider_id == provider_id)
            .order_by(ProviderDomain.domain)
        )
    )


def provider_for_org(session: Session, org_id: uuid.UUID) -> list[Provider]:
    """The providers an organisation answers for (a provider operator's own)."""
    return list(session.scalars(select(Provider).where(Provider.org_id == org_id)))


# --- editing -----------------------------------------------------------------------------

FIELDS = ("name", "kind", "country", "org", "abuse_email", "abuse_url", "tco_contact", "notes")


def _fail(field: str, message: str) -> InvalidInput:
    return InvalidInput(f"{field}: {message}", errors=[{"field": field, "message": message}])


def clean_provider_values(session: Session, raw: dict[str, Any]) -> dict[str, Any]:
    """Validated column values from form/API/CSV values (only the keys given).

    `org` is an organisation's name (or id); the result holds `org_id`."""
    out: dict[str, Any] = {}
    if "name" in raw:
        name = (raw["name"] or "").strip()
        if not name or len(name) > 200:
            raise _fail("name", "required, at most 200 characters")
        out["name"] = name
    if "kind" in raw:
        try:
            out["kind"] = ProviderKind((raw["kind"] or "hosting").strip().lower())
        except ValueError:
            kinds = ", ".join(k.value for k in ProviderKind)
            raise _fail("kind", f"expected one of {kinds}, got {raw['kind']!r}") from None
    if "country" in raw:
        country = (raw["country"] or "").strip().upper()
        if len(country) != 2 or not country.isalpha():
            raise _fail("country", f"expected a two-letter code, got {raw['country']!r}")
        out["country"] = country
    if "org" in raw or "org_id" in raw:
        ref = str(raw.get("org") or raw.get("org_id") or "").strip()
        out["org_id"] = _org_id(session, ref) if ref else None
    if "abuse_email" in raw:
        email = (raw["abuse_email"] or "").strip() or None
        if email and ("@" not in email or " " in email or len(email) > 254):
            raise _fail("abuse_email", f"'{email}' is not an e-mail address")
        out["abuse_email"] = email
    if "abuse_url" in raw:
        url = (raw["abuse_url"] or "").strip() or None
        if url and (not url.lower().startswith(("https://", "http://")) or len(url) > 2048):
            raise _fail("abuse_url", f"'{url}' is not an http(s) URL")
        out["abuse_url"] = url
    if "tco_contact" in raw:
        contact = (raw["tco_contact"] or "").strip() or None
        if contact and len(contact) > 254:
            raise _fail("tco_contact", "at most 254 characters")
        out["tco_contact"] = contact
    if "notes" in raw:
        out["notes"] = (raw["notes"] or "").strip() or None
    return out


def _org_id(session: Session, ref: str) -> uuid.UUID:
    try:
        org = session.get(Organisation, uuid.UUID(ref))
    except ValueError:
        org = session.scalars(select(Organisation).where(Organisation.name == ref)).first()
    if org is None:
        raise _fail("org", f"no organisation named {ref!r}")
    return org.id


def _changes(provider: Provider, values: dict[str, Any]) -> dict[str, str]:
    return {k: "" if v is None else str(v) for k, v in values.items() if getattr(provider, k) != v}


def create_provider(session: Session, actor: Actor, raw: dict[str, Any]) -> Provider:
    require_edit(actor)
    values = clean_provider_values(session, {"kind": "hosting", **raw})
    for required in ("name", "country"):
        if required not in values:
            raise _fail(required, "required")
    if find_by_name(session, values["name"]) is not None:
        raise Conflict(f"name: a provider named {values['name']!r} already exists")
    provider = Provider(active=True, **values)
    session.add(provider)
    session.flush()
    audit.record(
        session,
        actor,
        "takedown.provider.created",
        object_type="takedown_provider",
        object_id=provider.id,
        details={"name": provider.name, "kind": provider.kind.value},
    )
    return provider


def update_provider(
    session: Session, actor: Actor, provider_id: uuid.UUID, raw: dict[str, Any]
) -> Provider:
    require_edit(actor)
    provider = get_provider(session, actor, provider_id)
    values = clean_provider_values(session, raw)
    if "active" in raw and raw["active"] is not None:
        values["active"] = bool(raw["active"])
    if "name" in values and values["name"] != provider.name:
        other = find_by_name(session, values["name"])
        if other is not None:
            raise Conflict(f"name: a provider named {values['name']!r} already exists")
    changed = _changes(provider, values)
    for k, v in values.items():
        setattr(provider, k, v)
    session.flush()
    if changed:
        audit.record(
            session,
            actor,
            "takedown.provider.updated",
            object_type="takedown_provider",
            object_id=provider.id,
            details={"changed": changed},
        )
    return provider


def set_active(session: Session, actor: Actor, provider_id: uuid.UUID, active: bool) -> Provider:
    """Deactivate (kept for the notices that name it, no longer resolved) or reactivate."""
    return update_provider(session, actor, provider_id, {"active": active})


def add_network(
    session: Session,
    actor: Actor,
    provider_id: uuid.UUID,
    cidr: str,
    asn: int | str | None = None,
) -> ProviderNetwork:
    require_edit(actor)
    provider = get_provider(session, actor, provider_id)
    net, asn_value = clean_network(cidr, asn)
    existing = session.scalars(
        select(ProviderNetwork).where(ProviderNetwork.cidr == str(net))
    ).first()
    if existing is not None:
        if existing.provider_id != provider.id:
            raise Conflict(f"cidr: {net} already belongs to another provider")
        raise Conflict(f"cidr: {net} is already registered for this provider")
    row = new_network(provider.id, net, asn_value)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "takedown.provider.network_added",
        object_type="takedown_provider",
        object_id=provider.id,
        details={"cidr": row.cidr, "asn": row.asn},
    )
    return row


def clean_network(cidr: str, asn: int | str | None) -> tuple[netaddr.IPNetwork, int | None]:
    try:
        net = netaddr.parse_network(cidr)
    except ValueError as exc:
        raise _fail("cidr", str(exc)) from None
    if not netaddr.is_public(net.network_address) or not netaddr.is_public(net.broadcast_address):
        raise _fail("cidr", f"{net} is a private or reserved range")
    asn_value: int | None = None
    if asn not in (None, ""):
        text = str(asn).strip().upper().removeprefix("AS")
        if not text.isdigit() or not 0 < int(text) < 2**32:
            raise _fail("asn", f"expected an AS number, got {asn!r}")
        asn_value = int(text)
    return net, asn_value


def new_network(provider_id: uuid.UUID, net: netaddr.IPNetwork, asn: int | None) -> ProviderNetwork:
    start, end = netaddr.bounds(net)
    return ProviderNetwork(
        provider_id=provider_id,
        cidr=str(net),
        asn=asn,
        range_start=start,
        range_end=end,
        prefix_len=net.prefixlen,
    )


def add_domain(
    session: Session, actor: Actor, provider_id: uuid.UUID, domain: str
) -> ProviderDomain:
    require_edit(actor)
    provider = get_provider(session, actor, provider_id)
    name = clean_domain(domain)
    existing = session.scalars(select(ProviderDomain).where(ProviderDomain.domain == name)).first()
    if existing is not None:
        raise Conflict(f"domain: {name} is already registered")
    row = ProviderDomain(provider_id=provider.id, domain=name)
    session.add(row)
    session.flush()
    audit.record(
        session,
        actor,
        "takedown.provider.domain_added",
        object_type="takedown_provider",
        object_id=provider.id,
        details={"domain": name},
    )
    return row


def remove_network(
    session: Session,
    actor: Actor,
    network_id: uuid.UUID,
    *,
    provider_id: uuid.UUID | None = None,
) -> None:
    row = _remove_part(session, actor, ProviderNetwork, network_id, provider_id, "network")
    _part_removed(session, actor, row.provider_id, "network_removed", {"cidr": row.cidr})


def remove_domain(
    session: Session,
    actor: Actor,
    domain_id: uuid.UUID,
    *,
    provider_id: uuid.UUID | None = None,
) -> None:
    row = _remove_part(session, actor, ProviderDomain, domain_id, provider_id, "domain")
    _part_removed(session, actor, row.provider_id, "domain_removed", {"domain": row.domain})


_Part = TypeVar("_Part", ProviderNetwork, ProviderDomain)


def _remove_part(
    session: Session,
    actor: Actor,
    model: type[_Part],
    part_id: uuid.UUID,
    provider_id: uuid.UUID | None,
    what: str,
) -> _Part:
    """Delete a provider's network or domain; a part of another provider is not found."""
    require_edit(actor)
    row = session.get(model, part_id)
    if row is None or (provider_id is not None and row.provider_id != provider_id):
        raise NotFound(f"no {what} with id {part_id}")
    session.delete(row)
    session.flush()
    return row


def _part_removed(
    session: Session, actor: Actor, provider_id: uuid.UUID, event: str, details: dict[str, Any]
) -> None:
    audit.record(
        session,
        actor,
        f"takedown.provider.{event}",
        object_type="takedown_provider",
        object_id=provider_id,
        details=details,
    )


def resolve_for(
    session: Session, actor: Actor, url: str, *, resolver: Resolver | None = None
) -> Resolution | None:
    """resolve_url for a person: checks the right to read the directory."""
    require_read(actor)
    return resolve_url(session, url, resolver=resolver)


def networks_by_cidr(session: Session, cidrs: Sequence[str]) -> dict[str, ProviderNetwork]:
    if not cidrs:
        return {}
    rows = session.scalars(select(ProviderNetwork).where(ProviderNetwork.cidr.in_(cidrs)))
    return {r.cidr: r for r in rows}
