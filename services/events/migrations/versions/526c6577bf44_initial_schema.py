"""initial schema

Revision ID: 526c6577bf44
Revises: 
"""

from shared.db.migrations import create_messaging_tables, drop_messaging_tables


revision = '526c6577bf44'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()


def downgrade() -> None:
    drop_messaging_tables()
