"""surveys, responses, templates, communes: the surveys service's own tables

Revision ID: 1020292e982e
Revises: c211c7f5534f
"""
from alembic import op
import sqlalchemy as sa


revision = '1020292e982e'
down_revision = 'c211c7f5534f'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('communes',
    sa.Column('slug', sa.String(length=60), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('population', sa.Integer(), nullable=False),
    sa.PrimaryKeyConstraint('slug', name=op.f('pk_communes'))
    )
    op.create_table('surveys',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('commune', sa.String(length=60), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('template_key', sa.String(length=60), nullable=True),
    sa.Column('follow_up_of', sa.Integer(), nullable=True),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('status', sa.String(length=12), nullable=False),
    sa.Column('token', sa.String(length=20), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('closed_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['follow_up_of'], ['surveys.id'], name=op.f('fk_surveys_follow_up_of_surveys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_surveys')),
    sa.UniqueConstraint('token', name=op.f('uq_surveys_token'))
    )
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_surveys_commune'), ['commune'], unique=False)

    op.create_table('templates',
    sa.Column('key', sa.String(length=60), nullable=False),
    sa.Column('title', sa.JSON(), nullable=False),
    sa.Column('description', sa.JSON(), nullable=False),
    sa.Column('questions', sa.JSON(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('key', name=op.f('pk_templates'))
    )
    op.create_table('answered_browsers',
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('digest', sa.String(length=64), nullable=False),
    sa.Column('commune', sa.String(length=60), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_answered_browsers_survey_id_surveys')),
    sa.PrimaryKeyConstraint('survey_id', 'digest', name=op.f('pk_answered_browsers'))
    )
    op.create_table('responses',
    sa.Column('id', sa.String(length=32), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('commune', sa.String(length=60), nullable=False),
    sa.Column('channel', sa.String(length=10), nullable=False),
    sa.Column('submitted_on', sa.Date(), nullable=False),
    sa.Column('answers', sa.JSON(), nullable=False),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_responses_survey_id_surveys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_responses'))
    )
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_responses_commune'), ['commune'], unique=False)
        batch_op.create_index('ix_responses_survey_day', ['survey_id', 'submitted_on'], unique=False)

    op.create_table('result_snapshots',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('survey_id', sa.Integer(), nullable=False),
    sa.Column('commune', sa.String(length=60), nullable=False),
    sa.Column('question_keys', sa.JSON(), nullable=False),
    sa.Column('as_of', sa.Date(), nullable=False),
    sa.Column('responses', sa.Integer(), nullable=False),
    sa.Column('results', sa.JSON(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['survey_id'], ['surveys.id'], name=op.f('fk_result_snapshots_survey_id_surveys')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_result_snapshots'))
    )
    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_result_snapshots_survey_id'), ['survey_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('result_snapshots', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_result_snapshots_survey_id'))

    op.drop_table('result_snapshots')
    with op.batch_alter_table('responses', schema=None) as batch_op:
        batch_op.drop_index('ix_responses_survey_day')
        batch_op.drop_index(batch_op.f('ix_responses_commune'))

    op.drop_table('responses')
    op.drop_table('answered_browsers')
    op.drop_table('templates')
    with op.batch_alter_table('surveys', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_surveys_commune'))

    op.drop_table('surveys')
    op.drop_table('communes')
