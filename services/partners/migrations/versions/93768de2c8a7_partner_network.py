"""partners, partnerships, status history, contacts, engagement notes, links, activities, imports

Revision ID: 93768de2c8a7
Revises: dc9f09d5bd6b
"""
from alembic import op
import sqlalchemy as sa


revision = '93768de2c8a7'
down_revision = 'dc9f09d5bd6b'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('communes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('slug', sa.String(length=100), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('onboarded', sa.Boolean(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_communes')),
    sa.UniqueConstraint('slug', name=op.f('uq_communes_slug'))
    )
    op.create_table('activities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=10), nullable=False),
    sa.Column('external_id', sa.String(length=64), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('category', sa.String(length=60), nullable=False),
    sa.Column('starts_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('cancelled', sa.Boolean(), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_activities_commune_id_communes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_activities')),
    sa.UniqueConstraint('commune_id', 'kind', 'external_id', name=op.f('uq_activities_commune_id'))
    )
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_activities_commune_id'), ['commune_id'], unique=False)

    op.create_table('partner_imports',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=200), nullable=False),
    sa.Column('headers', sa.JSON(), nullable=False),
    sa.Column('rows', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_partner_imports_commune_id_communes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partner_imports'))
    )
    with op.batch_alter_table('partner_imports', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partner_imports_commune_id'), ['commune_id'], unique=False)

    op.create_table('partners',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=True),
    sa.Column('regional', sa.Boolean(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_key', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.String(length=30), nullable=False),
    sa.Column('themes', sa.JSON(), nullable=False),
    sa.Column('address', sa.String(length=300), nullable=False),
    sa.Column('website', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_partners_commune_id_communes')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partners')),
    sa.UniqueConstraint('commune_id', 'name_key', name=op.f('uq_partners_commune_id'))
    )
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partners_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partners_name_key'), ['name_key'], unique=False)

    op.create_table('links',
    sa.Column('id', sa.String(length=36), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.String(length=36), nullable=False),
    sa.Column('target_type', sa.String(length=10), nullable=False),
    sa.Column('target_id', sa.String(length=64), nullable=False),
    sa.Column('relation', sa.String(length=20), nullable=False),
    sa.Column('origin', sa.String(length=20), nullable=False),
    sa.Column('linked_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_links_commune_id_communes')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_links_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_links')),
    sa.UniqueConstraint('commune_id', 'partner_id', 'target_type', 'target_id', name=op.f('uq_links_commune_id'))
    )
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_links_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_links_partner_id'), ['partner_id'], unique=False)

    op.create_table('partnerships',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.String(length=36), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('status_since', sa.Date(), nullable=False),
    sa.Column('roles', sa.JSON(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('started_on', sa.Date(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_partnerships_commune_id_communes')),
    sa.ForeignKeyConstraint(['partner_id'], ['partners.id'], name=op.f('fk_partnerships_partner_id_partners')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_partnerships')),
    sa.UniqueConstraint('commune_id', 'partner_id', name=op.f('uq_partnerships_commune_id'))
    )
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_partnerships_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_partnerships_partner_id'), ['partner_id'], unique=False)

    op.create_table('contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('function', sa.String(length=120), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('phone', sa.String(length=40), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_contacts_commune_id_communes')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_contacts_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_contacts'))
    )
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_contacts_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_contacts_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('engagement_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('happened_on', sa.Date(), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_engagement_notes_commune_id_communes')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_engagement_notes_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_engagement_notes'))
    )
    with op.batch_alter_table('engagement_notes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_engagement_notes_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_engagement_notes_partnership_id'), ['partnership_id'], unique=False)

    op.create_table('status_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune_id', sa.Integer(), nullable=False),
    sa.Column('partnership_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=20), nullable=False),
    sa.Column('previous_status', sa.String(length=20), nullable=True),
    sa.Column('changed_on', sa.Date(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('recorded_at', sa.DateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['commune_id'], ['communes.id'], name=op.f('fk_status_changes_commune_id_communes')),
    sa.ForeignKeyConstraint(['partnership_id'], ['partnerships.id'], name=op.f('fk_status_changes_partnership_id_partnerships'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_status_changes'))
    )
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_status_changes_commune_id'), ['commune_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_status_changes_partnership_id'), ['partnership_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('status_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_status_changes_partnership_id'))
        batch_op.drop_index(batch_op.f('ix_status_changes_commune_id'))

    op.drop_table('status_changes')
    with op.batch_alter_table('engagement_notes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_engagement_notes_partnership_id'))
        batch_op.drop_index(batch_op.f('ix_engagement_notes_commune_id'))

    op.drop_table('engagement_notes')
    with op.batch_alter_table('contacts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_contacts_partnership_id'))
        batch_op.drop_index(batch_op.f('ix_contacts_commune_id'))

    op.drop_table('contacts')
    with op.batch_alter_table('partnerships', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partnerships_partner_id'))
        batch_op.drop_index(batch_op.f('ix_partnerships_commune_id'))

    op.drop_table('partnerships')
    with op.batch_alter_table('links', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_links_partner_id'))
        batch_op.drop_index(batch_op.f('ix_links_commune_id'))

    op.drop_table('links')
    with op.batch_alter_table('partners', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partners_name_key'))
        batch_op.drop_index(batch_op.f('ix_partners_commune_id'))

    op.drop_table('partners')
    with op.batch_alter_table('partner_imports', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_partner_imports_commune_id'))

    op.drop_table('partner_imports')
    with op.batch_alter_table('activities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_activities_commune_id'))

    op.drop_table('activities')
    op.drop_table('communes')
