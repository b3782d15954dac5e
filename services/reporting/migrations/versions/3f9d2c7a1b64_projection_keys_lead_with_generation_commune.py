"""projections' primary keys lead with (generation, commune)

Revision ID: 3f9d2c7a1b64
Revises: cb8985be8f93

The keys were made with each projection's own id first (event_id, generation, commune), so
their index could not serve the dashboards' reads of one commune: PostgreSQL read the whole
table for each (2 ms a query at every Swiss commune). Same columns, better order.
"""
from alembic import op

revision = '3f9d2c7a1b64'
down_revision = 'cb8985be8f93'
branch_labels = None
depends_on = None

OWN_KEYS = {
    "rp_actions": ["action_id"], "rp_activities": ["phase", "activity"], "rp_events": ["event_id"],
    "rp_objectives": ["objective_id"], "rp_partners": ["partner_id"], "rp_phases": ["number"],
    "rp_survey_answers": ["survey_id", "question", "answer"], "rp_surveys": ["survey_id"],
    "rp_themes": ["theme_id"],
}


def _key(table: str, columns: list[str]) -> None:
    with op.batch_alter_table(table) as batch:
        batch.drop_constraint(f"pk_{table}", type_="primary")
        batch.create_primary_key(f"pk_{table}", columns)


def upgrade() -> None:
    for table, own in OWN_KEYS.items():
        _key(table, ["generation", "commune", *own])


def downgrade() -> None:
    for table, own in OWN_KEYS.items():
        _key(table, [*own, "generation", "commune"])
