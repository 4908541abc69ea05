"""the site's own yes/no question on the survey: the words asked and the answer

Revision ID: 0021
Revises: 0020
Create Date: 2026-12-03 21:15:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'feedback_answers', sa.Column('site_question', sa.String(length=200), nullable=True)
    )
    op.add_column('feedback_answers', sa.Column('site_answer', sa.Boolean(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('feedback_answers', recreate='never') as batch:
        batch.drop_column('site_answer')
        batch.drop_column('site_question')
