"""full-text search over report descriptions (hand-written: dialect-specific SQL)

The one migration that `make migration-reset` does not regenerate: autogenerate cannot
express an FTS5 virtual table or a generated tsvector column.

Revision ID: 0002
Revises: 0001_08
"""

from __future__ import annotations

from alembic import op

revision = "0002"
down_revision = "0001_08"
branch_labels = None
depends_on = None


def upgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        # Generated, so it can never drift from the description; 'simple' = no stemming,
        # because descriptions come in many languages.
        op.execute(
            "ALTER TABLE reports ADD COLUMN search_vector tsvector GENERATED ALWAYS AS "
            "(to_tsvector('simple'::regconfig, coalesce(description, ''))) STORED"
        )
        op.execute("CREATE INDEX ix_reports_search_vector ON reports USING gin (search_vector)")
    else:
        # Kept in step by reports.search.index(); report_id holds the Uuid's 32 hex digits.
        op.execute(
            "CREATE VIRTUAL TABLE reports_fts USING fts5("
            "report_id UNINDEXED, body, tokenize = 'unicode61 remove_diacritics 2')"
        )


def downgrade() -> None:
    if op.get_bind().dialect.name == "postgresql":
        op.execute("DROP INDEX IF EXISTS ix_reports_search_vector")
        op.execute("ALTER TABLE reports DROP COLUMN IF EXISTS search_vector")
    else:
        op.execute("DROP TABLE IF EXISTS reports_fts")
