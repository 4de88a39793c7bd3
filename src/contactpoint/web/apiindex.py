"""The endpoint index in docs/api.md, made from the routers themselves.

`python -m contactpoint.web.apiindex` prints the table; tests/core/test_docs.py fails when a
route of the API is missing from docs/api.md.
"""

from __future__ import annotations

import importlib

from fastapi.routing import APIRoute

from contactpoint.app import ROUTER_MODULES


def api_routes() -> list[tuple[str, str, str, str]]:
    """(area, method, path, summary) for every /api route, in mount order."""
    rows = []
    for name in ROUTER_MODULES:
        try:
            module = importlib.import_module(name)
        except ModuleNotFoundError as exc:
            if exc.name == name:
                continue  # that area has no HTTP surface yet (as in create_app)
            raise
        for route in module.router.routes:
            if not isinstance(route, APIRoute) or not route.path.startswith("/api/"):
                continue
            summary = (
                route.summary
                or (route.description or "").strip().split("\n")[0]
                or route.name.replace("_", " ")
            )
            for method in sorted((route.methods or set()) - {"HEAD"}):
                rows.append((name.split(".")[1], method, route.path, summary))
    return rows


def markdown() -> str:
    lines = ["| area | method and path | what it does |", "|---|---|---|"]
    for area, method, path, summary in api_routes():
        lines.append(f"| {area} | `{method} {path}` | {summary.replace('|', '/')} |")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    print(markdown(), end="")
