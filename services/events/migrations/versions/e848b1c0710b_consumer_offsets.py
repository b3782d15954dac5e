"""consumer offsets kept with the inbox

Revision ID: e848b1c0710b
Revises: b1645faed3cd
"""
from shared.db.migrations import create_consumer_offsets_table, drop_consumer_offsets_table

revision = 'e848b1c0710b'
down_revision = 'b1645faed3cd'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consumer_offsets_table()


def downgrade() -> None:
    drop_consumer_offsets_table()
