"""initial schema

Revision ID: dc9f09d5bd6b
Revises: 
"""

from shared.db.migrations import create_messaging_tables, drop_messaging_tables


revision = 'dc9f09d5bd6b'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
