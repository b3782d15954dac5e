"""initial schema

Revision ID: 8aa37abf6934
Revises: 
"""

from shared.db.migrations import create_messaging_tables, drop_messaging_tables


revision = '8aa37abf6934'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
