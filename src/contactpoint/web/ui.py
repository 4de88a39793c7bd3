"""The start page "/": the public start for visitors, a home page per role after sign-in.

Staff links are one table keyed by permission, shared by the home page and the navigation
bar (``staff_links`` is a Jinja global, so every area's page gets the same nav). A link whose
page is not served by this installation is shown as plain text, never as a dead link.
"""

from __future__ import annotations

from dataclasses import dataclass

from fastapi import APIRouter, Request
from fastapi.responses import Response
from starlette.routing import Match

from contactpoint.accounts import service as accounts
from contactpoint.accounts.deps import PageActor
from contactpoint.core.actor import Actor
from contactpoint.core.i18n import gettext as _
from contactpoint.core.web import DB, render, templates

router = APIRouter(include_in_schema=False)


@dataclass(frozen=True)
class StaffLink:
    permission: str
    url: str
    title: str  # marked for translation where rendered
    description: str
    in_nav: bool = True


def N_(text: str) -> str:
    """gettext marker: extracted by Babel, translated where the text is shown."""
    return text


STAFF_LINKS = [
    StaffLink(
        "reports:read",
        "/reports",
        N_("Report queue"),
        N_("Triage reports from citizens, organisations and feeds."),
    ),
    StaffLink(
        "reports:read",
        "/campaigns",
        N_("Campaigns"),
        N_("Reports linked across countries by shared indicators."),
    ),
    StaffLink("cases:manage", "/cases", N_("Cases"), N_("Open and work cases and evidence.")),
    StaffLink(
        "cooperation:manage",
        "/cooperation",
        N_("Cooperation"),
        N_("Cross-border requests and their legal deadlines."),
    ),
    StaffLink(
        "cooperation:respond",
        "/cooperation",
        N_("Legal requests"),
        N_("Preservation and production orders addressed to your organisation."),
    ),
    StaffLink(
        "takedown:manage",
        "/takedown",
        N_("Takedown"),
        N_("Notices and removal orders to providers."),
    ),
    StaffLink(
        "takedown:respond",
        "/provider",
        N_("Notices"),
        N_("Notices and removal orders addressed to your organisation."),
    ),
    StaffLink(
        "providers:manage",
        "/providers",
        N_("Providers"),
        N_("Who hosts what: networks, domains and abuse contacts of providers."),
        in_nav=False,
    ),
    StaffLink(
        "takedown:compliance",
        "/takedown/compliance",
        N_("Compliance"),
        N_("Time to removal per provider, and overdue removal orders."),
        in_nav=False,
    ),
    StaffLink(
        "blocklists:read",
        "/blocklists",
        N_("Blocklists"),
        N_("Download the blocklists for your country."),
    ),
    StaffLink(
        "indicators:search",
        "/indicators",
        N_("Indicators"),
        N_("Search URLs, IBANs, phones, wallets... (defanged is fine) and their reports."),
    ),
    StaffLink(
        "indicators:lookup",
        "/indicators/lookup",
        N_("Lookup"),
        N_("Ask whether an IBAN, card BIN, wallet or phone number was reported."),
    ),
    StaffLink(
        "admin:manage",
        "/admin",
        N_("Administration"),
        N_("Organisations, users, roles, API tokens and the MFA policy."),
    ),
    StaffLink(
        "admin:manage", "/admin/users", N_("Users"), N_("Accounts and their roles."), in_nav=False
    ),
    StaffLink(
        "admin:manage",
        "/admin/organisations",
        N_("Organisations"),
        N_("Police units, hotlines, providers, banks and CSIRTs."),
        in_nav=False,
    ),
    StaffLink(
        "admin:manage",
        "/admin/tokens",
        N_("API tokens"),
        N_("Bearer tokens for systems that use the API."),
        in_nav=False,
    ),
    StaffLink(
        "admin:manage",
        "/admin/mfa",
        N_("MFA policy"),
        N_("Which roles must sign in with a TOTP code."),
        in_nav=False,
    ),
    StaffLink(
        "audit:read", "/audit", N_("Audit log"), N_("Read and verify the hash-chained audit log.")
    ),
]


def _serves(request: Request, path: str) -> bool:
    """Whether a GET of ``path`` reaches a route of this app (cached per app)."""
    cache: dict[str, bool] | None = getattr(request.app.state, "served_paths", None)
    if cache is None:
        cache = request.app.state.served_paths = {}
    if path not in cache:
        scope = {
            "type": "http",
            "method": "GET",
            "path": path,
            "root_path": "",
            "path_params": {},
            "headers": [],
        }
        cache[path] = any(
            route.matches(scope)[0] is Match.FULL for route in request.app.router.routes
        )
    return cache[path]


def staff_links(
    actor: Actor | None, request: Request, nav: bool = False
) -> list[dict[str, object]]:
    """The links ``actor`` may follow, each with ``available`` = served by this installation."""
    if actor is None or not actor.is_authenticated:
        return []
    seen: set[str] = set()
    out: list[dict[str, object]] = []
    for link in STAFF_LINKS:
        if not actor.can(link.permission) or (nav and not link.in_nav) or link.url in seen:
            continue
        seen.add(link.url)
        out.append(
            {
                "url": link.url,
                "title": _(link.title),
                "description": _(link.description),
                "available": _serves(request, link.url),
            }
        )
    return out


templates.env.globals["staff_links"] = staff_links


@router.get("/")
def home(request: Request, db: DB, actor: PageActor) -> Response:
    if not actor.is_authenticated:
        return render(request, "home_public.html")
    org = accounts.get_organisation(db, actor.org_id) if actor.org_id else None
    return render(
        request,
        "home.html",
        {
            "org": org,
            "roles": sorted(actor.roles),
            "links": staff_links(actor, request),
        },
    )
