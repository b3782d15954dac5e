"""Alembic, per service: each service's `migrations/` folder, applied by `upgrade`."""
from __future__ import annotations

from alembic import command, context
from alembic.config import Config
from sqlalchemy import MetaData, pool

from shared.db.engine import make_engine
from shared.db.types import UtcDateTime


def alembic_config(definition, database_url: str) -> Config:
    config = Config()
    config.set_main_option("script_location", str(definition.migrations_dir))
    config.set_main_option("sqlalchemy.url", database_url.replace("%", "%%"))
    return config


def upgrade(definition, database_url: str, revision: str = "head") -> None:
    command.upgrade(alembic_config(definition, database_url), revision)


def _render_item(kind: str, item, _context):
    """Migrations name plain SQLAlchemy types, not our decorators (UTC handling is Python's)."""
    if kind == "type" and isinstance(item, UtcDateTime):
        return "sa.DateTime(timezone=True)"
    return False


def run_env(metadata: MetaData) -> None:
    """The body of every service's migrations/env.py."""
    url = context.config.get_main_option("sqlalchemy.url")
    options = dict(target_metadata=metadata, render_as_batch=url.startswith("sqlite"),
                   compare_type=True, render_item=_render_item)
    if context.is_offline_mode():
        context.configure(url=url, literal_binds=True, **options)
        with context.begin_transaction():
            context.run_migrations()
        return
    engine = make_engine(url, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, **options)
        with context.begin_transaction():
            context.run_migrations()
    engine.dispose()


def create_messaging_tables() -> None:
    """The outbox and inbox every service has, for its first migration."""
    from alembic import op
    import sqlalchemy as sa
    op.create_table(
        "inbox",
        sa.Column("consumer_group", sa.String(length=100), nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("processed_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer_group", "event_id", name=op.f("pk_inbox")))
    op.create_table(
        "outbox",
        sa.Column("id", sa.BigInteger().with_variant(sa.Integer(), "sqlite"), autoincrement=True,
                  nullable=False),
        sa.Column("event_id", sa.String(length=36), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("message_key", sa.String(length=200), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("published_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("last_error", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_outbox")),
        sa.UniqueConstraint("event_id", name=op.f("uq_outbox_event_id")))
    op.create_index(op.f("ix_outbox_published_at"), "outbox", ["published_at"], unique=False)


def drop_messaging_tables() -> None:
    from alembic import op
    op.drop_index(op.f("ix_outbox_published_at"), table_name="outbox")
    op.drop_table("outbox")
    op.drop_table("inbox")


def create_consumer_offsets_table() -> None:
    """Where each consumer group has read to, kept with its effects (shared/messaging/inbox.py)."""
    from alembic import op
    import sqlalchemy as sa
    op.create_table(
        "consumer_offsets",
        sa.Column("consumer_group", sa.String(length=100), nullable=False),
        sa.Column("topic", sa.String(length=200), nullable=False),
        sa.Column("partition", sa.Integer(), nullable=False),
        sa.Column("next_offset", sa.BigInteger(), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("consumer_group", "topic", "partition", name=op.f("pk_consumer_offsets")))


def drop_consumer_offsets_table() -> None:
    from alembic import op
    op.drop_table("consumer_offsets")
