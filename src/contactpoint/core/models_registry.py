"""Imports every area's models so that metadata (and Alembic) knows every table.

Core may not import the areas above it in code paths; this module is the one exception,
used only by migrations and tests, and it is excluded from the layer contract.
"""

from __future__ import annotations

import importlib
import pkgutil

import contactpoint
from contactpoint.core import access, audit, jobs_models, notify  # noqa: F401  (core tables)
from contactpoint.core.db import Base


def load_all_models() -> None:
    for mod in pkgutil.iter_modules(contactpoint.__path__):
        if mod.ispkg:
            try:
                importlib.import_module(f"contactpoint.{mod.name}.models")
            except ModuleNotFoundError as exc:
                if exc.name != f"contactpoint.{mod.name}.models":
                    raise


load_all_models()
metadata = Base.metadata
