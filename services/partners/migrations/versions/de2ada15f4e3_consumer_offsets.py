"""consumer offsets kept with the inbox

Revision ID: de2ada15f4e3
Revises: 93768de2c8a7
"""
from shared.db.migrations import create_consumer_offsets_table, drop_consumer_offsets_table

revision = 'de2ada15f4e3'
down_revision = '93768de2c8a7'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consumer_offsets_table()


def downgrade() -> None:
    drop_consumer_offsets_table()
