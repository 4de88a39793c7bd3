"""Alembic environment: the same migrations serve SQLite and PostgreSQL."""

from __future__ import annotations

from typing import Any

from alembic import context
from sqlalchemy import engine_from_config, pool

from contactpoint.core.models_registry import metadata

config = context.config


def _process_revision_directives(ctx: Any, revision: Any, directives: list[Any]) -> None:
    """``alembic -x split=areas revision --autogenerate --rev-id 0001`` (make
    migration-reset): one revision per area instead of one file for the whole schema."""
    if context.get_x_argument(as_dictionary=True).get("split") != "areas":
        return
    from contactpoint.migrations.split import split_by_area

    script = directives[0]
    directives[:] = split_by_area(script, metadata, script.rev_id)


def run_migrations_online() -> None:
    connectable = config.attributes.get("connection")
    if connectable is not None:
        _run(connectable)
        return
    engine = engine_from_config(
        config.get_section(config.config_ini_section) or {},
        prefix="sqlalchemy.",
        poolclass=pool.NullPool,
    )
    with engine.connect() as connection:
        _run(connection)


def _run(connection: object) -> None:
    context.configure(
        connection=connection,  # type: ignore[arg-type]
        target_metadata=metadata,
        render_as_batch=True,  # SQLite cannot ALTER most things; batch mode copies tables
        compare_type=True,
        process_revision_directives=_process_revision_directives,
    )
    with context.begin_transaction():
        context.run_migrations()


run_migrations_online()
