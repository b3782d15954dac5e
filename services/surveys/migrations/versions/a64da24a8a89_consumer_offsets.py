"""consumer offsets kept with the inbox

Revision ID: a64da24a8a89
Revises: 1020292e982e
"""
from shared.db.migrations import create_consumer_offsets_table, drop_consumer_offsets_table

revision = 'a64da24a8a89'
down_revision = '1020292e982e'
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_consumer_offsets_table()


def downgrade() -> None:
    drop_consumer_offsets_table()
