"""initial schema

Revision ID: 328932589bb1
Revises: 
"""
from alembic import op
import sqlalchemy as sa

from shared.db.migrations import create_messaging_tables, drop_messaging_tables


revision = '328932589bb1'
down_revision = None
branch_labels = None
depends_on = None


def upgrade() -> None:
    create_messaging_tables()
    op.create_table('accounts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('display_name', sa.String(length=120), nullable=False),
    sa.Column('password_hash', sa.String(length=255), nullable=False),
    sa.Column('role', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_accounts')),
    sa.UniqueConstraint('email', name=op.f('uq_accounts_email'))
    )
    op.create_table('communes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('canton', sa.String(length=2), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.Column('onboarded_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communes')),
    sa.UniqueConstraint('slug', name=op.f('uq_communes_slug'))
    )
    op.create_table('account_communes',
    sa.Column('account_id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['account_id'], ['accounts.id'], name=op.f('fk_account_communes_account_id_accounts'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_account_communes_commune_id_communes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('account_id', 'commune_id', name=op.f('pk_account_communes'))
    )
    op.create_table('activity_checks',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('phase_number', sa.Integer(), nullable=False),
    sa.Column('activity_key', sa.String(length=60), nullable=False),
    sa.Column('done', sa.Boolean(), nullable=False),
    sa.Column('checked_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_activity_checks_commune_id_communes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activity_checks')),
    sa.UniqueConstraint('commune_id', 'phase_number', 'activity_key', name=op.f('uq_activity_checks_commune_id'))
    )
    with op.batch_alter_table('activity_checks', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activity_checks_commune_id'), ['commune_id'], unique=False)

    op.create_table('phases',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('started_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('completed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_phases_commune_id_communes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_phases')),
    sa.UniqueConstraint('commune_id', 'number', name=op.f('uq_phases_commune_id'))
    )
    with op.batch_alter_table('phases', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_phases_commune_id'), ['commune_id'], unique=False)

    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_themes_commune_id_communes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_themes')),
    sa.UniqueConstraint('commune_id', 'title', name=op.f('uq_themes_commune_id'))
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_commune_id'), ['commune_id'], unique=False)

    op.create_table('objectives',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('indicator', sa.String(length=60), nullable=True),
    sa.Column('baseline', sa.Float(), nullable=True),
    sa.Column('target', sa.Float(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_objectives_commune_id_communes')),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], name=op.f('fk_objectives_theme_id_themes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_objectives'))
    )
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_objectives_commune_id'), ['commune_id'], unique=False)

    op.create_table('actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('objective_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('due_on', sa.Date(), nullable=True),
    sa.Column('partner_ids', sa.JSON(), nullable=False),
    sa.Column('event_ids', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_actions_commune_id_communes')),
    sa.ForeignKeyConstraint(['objective_id'], ['objectives.id'], name=op.f('fk_actions_objective_id_objectives')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_actions'))
    )
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_actions_commune_id'), ['commune_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_actions_commune_id'))

    op.drop_table('actions')
    with op.batch_alter_table('objectives', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_objectives_commune_id'))

    op.drop_table('objectives')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_commune_id'))

    op.drop_table('themes')
    with op.batch_alter_table('phases', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_phases_commune_id'))

    op.drop_table('phases')
    with op.batch_alter_table('activity_checks', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activity_checks_commune_id'))

    op.drop_table('activity_checks')
    op.drop_table('account_communes')
    op.drop_table('communes')
    op.drop_table('accounts')
    drop_messaging_tables()
