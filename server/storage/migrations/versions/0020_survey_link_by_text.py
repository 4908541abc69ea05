"""the survey link texted after a visit: its token's digest on the ticket

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-03 18:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('survey_digest', sa.String(length=64), nullable=True))
    op.create_index('ix_tickets_survey_digest', 'tickets', ['survey_digest'], unique=True)


def downgrade() -> None:
    op.drop_index('ix_tickets_survey_digest', table_name='tickets')
    with op.batch_alter_table('tickets', recreate='never') as batch:
        batch.drop_column('survey_digest')
