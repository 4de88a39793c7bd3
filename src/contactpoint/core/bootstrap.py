"""What `init` does: the var directory, the data key file, and the migrations."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy import Engine

from contactpoint.core import crypto, migrate
from contactpoint.core.config import Settings
from contactpoint.core.db import make_engine


@dataclass
class InitResult:
    key_created: bool
    database_url: str


def initialise(settings: Settings, engine: Engine | None = None) -> InitResult:
    settings.var_dir.mkdir(parents=True, exist_ok=True)
    created = crypto.ensure_key_file(settings.effective_key_file)
    crypto.configure(crypto.Keyring.load(settings.effective_key_file))
    engine = engine or make_engine(settings)
    migrate.upgrade(engine)
    return InitResult(created, engine.url.render_as_string(hide_password=True))
