"""initial schema

Revision ID: c211c7f5534f
Revises: 
"""

from shared.db.migrations import create_messaging_tables, drop_messaging_tables


revision = 'c211c7f5534f'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
