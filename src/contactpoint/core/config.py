"""Settings: the one place configuration is read (prefix ``CONTACTPOINT_``)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict


class Settings(BaseSettings):
    """Every setting is documented in docs/settings.md; a test keeps the two in step."""

    model_config = SettingsConfigDict(env_prefix="CONTACTPOINT_", env_file=".env", extra="ignore")

    var_dir: Path = Field(Path("var"), description="Directory for SQLite, keys and attachments.")
    database_url: str = Field(
        "", description="SQLAlchemy URL. Empty means SQLite at VAR_DIR/contactpoint.db."
    )
    sqlite_cache_mb: int = Field(
        256,
        ge=2,
        description="SQLite page cache per connection, in MiB (SQLite's own default is 2). "
        "Only used as pages are read: a big import's random-key index writes miss a small "
        "cache on every row.",
    )
    sqlite_wal_autocheckpoint: int = Field(
        1000,
        ge=0,
        description="Pages in SQLite's write-ahead log after which a commit copies them into "
        "the database file (SQLite's own default is 1000; 0 turns it off).",
    )
    key_file: Path | None = Field(
        None, description="Data key file (AES-GCM and HMAC keys). Default VAR_DIR/keys.json."
    )
    host: str = Field("127.0.0.1", description="Address `serve` binds to.")
    port: int = Field(8000, description="Port `serve` listens on.")
    base_url: str = Field("http://127.0.0.1:8000", description="Public address, used in links.")
    secure_cookies: bool = Field(
        False, description="Mark cookies Secure. Turn on in production behind HTTPS."
    )
    session_hours: int = Field(12, description="Idle lifetime of a login session, in hours.")
    login_max_failures: int = Field(
        5, description="Failed logins in a row before an account is locked."
    )
    login_lockout_minutes: int = Field(15, description="How long a locked account stays locked.")
    login_rate_per_minute: int = Field(
        20, description="Login attempts allowed per client address per minute."
    )
    lookup_rate_per_minute: int = Field(
        30,
        description="Indicator lookups (POST /api/v1/indicators/lookup) per organisation "
        "per minute, per web process.",
    )
    correlation_max_campaigns: int = Field(
        20,
        ge=1,
        description="An indicator held by more reports than this is over-correlating "
        "and stops linking campaigns (MISP's default cap is 20).",
    )
    correlation_access_request_type: str = Field(
        "mla",
        description="Cooperation request type (a `code` in the rules file) that the "
        'hit/no-hit "Draft an access request" button preselects.',
    )
    campaign_notice_digest: int = Field(
        5,
        ge=1,
        description="A contact-point officer who would get more campaign notices than "
        "this from one run (a bulk import, a recompute) gets one digest instead.",
    )
    run_jobs_in_process: bool | None = Field(
        None,
        description="Run background jobs inside the web process. Default: yes on SQLite, "
        "no on PostgreSQL (use `contactpoint worker`).",
    )
    job_poll_seconds: float = Field(
        2.0, description="Seconds between two looks at the job queue by an idle runner."
    )
    worker_concurrency: int = Field(
        1, description="Jobs one `contactpoint worker` process runs at the same time (PostgreSQL)."
    )
    default_language: str = Field("en", description="Language of pages when none is chosen.")
    national_country: str = Field(
        "EU", description="ISO country of this node (EU for the central node)."
    )
    smtp_host: str = Field(
        "", description="SMTP server for e-mail notifications. Empty: in-app notifications only."
    )
    smtp_port: int = Field(25, description="SMTP port (587 with STARTTLS, 465 with SMTP_SSL).")
    smtp_from: str = Field(
        "contactpoint@localhost", description="Sender address of notification e-mails."
    )
    smtp_username: str = Field("", description="SMTP login; empty means no authentication.")
    smtp_password: str = Field("", description="SMTP password for SMTP_USERNAME.")
    smtp_security: str = Field(
        "none", description="none, starttls or ssl: how the SMTP connection is protected."
    )
    cooperation_rules_file: Path | None = Field(
        None,
        description="An operator's corrected copy of the cooperation rules (request types and "
        "clocks). Default: the file shipped in contactpoint/cooperation/data/rules.yaml.",
    )
    takedown_rules_file: Path | None = Field(
        None,
        description="An operator's corrected copy of the kinds of notice and removal order "
        "(fields, clocks, targets). Default: contactpoint/takedown/data/notice_kinds.yaml.",
    )
    evidence_max_bytes: int = Field(
        200 * 2**20, description="Largest evidence file a case accepts, in bytes (larger: 413)."
    )

    @property
    def effective_database_url(self) -> str:
        if self.database_url:
            return normalise_database_url(self.database_url)
        return f"sqlite:///{(self.var_dir / 'contactpoint.db').resolve()}"

    @property
    def effective_key_file(self) -> Path:
        return self.key_file or self.var_dir / "keys.json"

    @property
    def is_sqlite(self) -> bool:
        return self.effective_database_url.startswith("sqlite")

    @property
    def jobs_in_process(self) -> bool:
        if self.run_jobs_in_process is not None:
            return self.run_jobs_in_process
        return self.is_sqlite


def normalise_database_url(url: str) -> str:
    """Accept plain ``postgresql://`` URLs and use the psycopg 3 driver for them."""
    for prefix in ("postgresql://", "postgres://"):
        if url.startswith(prefix):
            return "postgresql+psycopg://" + url[len(prefix) :]
    return url


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    return Settings()
