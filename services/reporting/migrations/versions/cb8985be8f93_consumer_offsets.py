"""consumer offsets kept with the inbox

Revision ID: cb8985be8f93
Revises: 5b52a5bb34e9
"""
from shared.db.migrations import create_consumer_offsets_table, drop_consumer_offsets_table

revision = 'cb8985be8f93'
down_revision = '5b52a5bb34e9'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consumer_offsets_table()


def downgrade() -> None:
    drop_consumer_offsets_table()
