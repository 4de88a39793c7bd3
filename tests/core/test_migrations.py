"""The migrations build exactly the schema the models describe: a model change without
`make migration-reset` (or a new migration) fails here, on SQLite and on PostgreSQL."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

from alembic.autogenerate import compare_metadata
from alembic.migration import MigrationContext
from sqlalchemy import Engine

from contactpoint.core.models_registry import metadata

# Made by hand-written SQL, not by the models: the full-text index (0002_fulltext.py) and
# procrastinate's job queue on PostgreSQL.
HAND_MADE_PREFIXES = ("reports_fts", "procrastinate_")
HAND_MADE_COLUMNS = {("reports", "search_vector")}
HAND_MADE_INDEXES = {"ix_reports_search_vector"}


def _hand_made(diff: Any) -> bool:
    kind = diff[0]
    if kind in ("remove_table", "add_table"):
        return str(diff[1].name).startswith(HAND_MADE_PREFIXES)
    if kind in ("remove_index", "add_index"):
        index = diff[1]
        return index.name in HAND_MADE_INDEXES or str(index.table.name).startswith(
            HAND_MADE_PREFIXES
        )
    if kind in ("remove_column", "add_column"):
        return (diff[2], diff[3].name) in HAND_MADE_COLUMNS
    return False


def test_the_migrated_schema_matches_the_models(engine: Engine) -> None:
    with engine.connect() as conn:
        diffs = compare_metadata(MigrationContext.configure(conn), metadata)
    drift = [d for d in diffs if not (isinstance(d, tuple) and _hand_made(d))]
    assert drift == [], f"run `make migration-reset`: {drift}"


def test_the_initial_schema_is_one_revision_per_area() -> None:
    """`make migration-reset` writes the schema as a chain of revisions, one per area, in
    foreign-key order: each creates only its own area's tables, and together they create
    every mapped table once."""
    from alembic.script import ScriptDirectory

    from contactpoint.core.migrate import MIGRATIONS, alembic_config
    from contactpoint.migrations.split import area_order, table_areas

    scripts = ScriptDirectory.from_config(alembic_config("sqlite://"))
    assert scripts.get_heads() == ["0002"]
    chain = [s for s in reversed(list(scripts.walk_revisions())) if s.revision.startswith("0001_")]
    areas = table_areas()
    made: list[str] = []
    order: list[str] = []
    for script in chain:
        source = Path(script.path).read_text(encoding="utf-8")
        tables = re.findall(r"op\.create_table\('([a-z_0-9]+)'", source)
        owners = {areas[t] for t in tables}
        assert len(owners) == 1, f"{script.path} creates tables of {owners}"
        (area,) = owners
        assert script.doc == f"{area} tables"
        made += tables
        order.append(area)
    assert sorted(made) == sorted(areas)  # every table, once
    assert order == [a for a in area_order(metadata, areas) if a in order]
    assert str(MIGRATIONS) in chain[0].path
