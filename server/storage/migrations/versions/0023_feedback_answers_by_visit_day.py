"""the reports read survey answers by site and visit day: an index for it

Revision ID: 0023
Revises: 0021
Create Date: 2026-12-04 14:00:00
"""

from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The patients' voice section counts a site's answers by the day of the visit;
    # without it PostgreSQL read every open case of every site (the case_status index)
    # or the whole table: 65 ms of a 540 ms one-site month in bench/reports.py.
    op.create_index(
        'ix_feedback_answers_site_visit_day', 'feedback_answers', ['site_id', 'visit_day']
    )


def downgrade() -> None:
    op.drop_index('ix_feedback_answers_site_visit_day', table_name='feedback_answers')
