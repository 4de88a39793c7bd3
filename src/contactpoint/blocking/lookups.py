"""URL checks against the published lists, through in-memory hash-prefix tables, and what
the public stop page shows. Tables are built from a list's latest version and rebuilt
when a newer version is published (the cache is keyed by the version's id)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from contactpoint.accounts.models import Organisation
from contactpoint.blocking import service, writers
from contactpoint.blocking.canonical import canonicalize, entry_expression
from contactpoint.blocking.hashprefix import LookupTable
from contactpoint.blocking.models import Blocklist, BlocklistEntry, BlocklistVersion
from contactpoint.core.actor import Actor


@dataclass(frozen=True)
class _Cached:
    version_id: uuid.UUID
    table: LookupTable
    entry_ids: frozenset[str]  # what the version holds, for the stop page's id lookups


_TABLES: dict[uuid.UUID, _Cached] = {}  # list id -> table of its latest version


def _table(session: Session, bl: Blocklist) -> tuple[BlocklistVersion, _Cached] | None:
    latest = service._latest(session, bl)
    if latest is None:
        return None
    cached = _TABLES.get(bl.id)
    if cached is None or cached.version_id != latest.id:
        entries = service.snapshot_entries(latest)
        items = [(x, e.id) for e in entries for x in writers.hash_expressions([e])]
        cached = _Cached(latest.id, LookupTable.build(items), frozenset(e.id for e in entries))
        _TABLES[bl.id] = cached
    return latest, cached


def check_url(session: Session, actor: Actor, country: str, url: str) -> dict[str, Any]:
    """Whether ``url`` is blocked by the latest published version of the list."""
    bl = service.get_list(session, actor, country)
    found = _table(session, bl)
    if found is None:
        return {"url": url, "canonical": canonicalize(url), "serial": None, "matches": []}
    version, cached = found
    ids = sorted(set(cached.table.lookup(url)))
    return {"url": url, "canonical": canonicalize(url), "serial": version.serial, "matches": ids}


@dataclass(frozen=True)
class StopInfo:
    entry: BlocklistEntry
    country: str
    authority: str


def stop_page(session: Session, ref: str) -> list[StopInfo]:
    """Published entries that block ``ref`` (an entry id, a host name or a URL). Public:
    only what a published version holds is shown, never drafts or withdrawn entries."""
    ref = ref.strip()
    ids: set[str] = set()
    lists = list(session.scalars(select(Blocklist)))
    try:
        wanted: uuid.UUID | None = uuid.UUID(ref)
    except ValueError:
        wanted = None
    for bl in lists:
        found = _table(session, bl)
        if found is None:
            continue
        _version, cached = found
        if wanted is not None:
            if str(wanted) in cached.entry_ids:
                ids.add(str(wanted))
        elif ref:
            url = ref if "/" in ref else f"http://{ref}/"
            ids.update(cached.table.lookup(url))
            ids.update(cached.table.match_expressions([entry_expression(url)]))
    out = []
    for eid in sorted(ids):
        entry = session.get(BlocklistEntry, uuid.UUID(eid))
        if entry is None:
            continue
        owner = session.get(Blocklist, entry.blocklist_id)
        assert owner is not None
        org = session.get(Organisation, owner.authority_org_id)
        out.append(StopInfo(entry, owner.country, org.name if org else owner.country))
    return out
