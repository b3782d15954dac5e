"""consumer offsets kept with the inbox

Revision ID: 8b76960f2ff3
Revises: 328932589bb1
"""
from shared.db.migrations import create_consumer_offsets_table, drop_consumer_offsets_table

revision = '8b76960f2ff3'
down_revision = '328932589bb1'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consumer_offsets_table()


def downgrade() -> None:
    drop_consumer_offsets_table()
