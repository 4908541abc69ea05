"""indexes for the manager's reports: delay notices and room pauses by site and time

Revision ID: 0016
Revises: 0015
Create Date: 2026-12-03 15:10:00
"""

from alembic import op


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # The reports read tickets by (site_id, day), which the tickets' unique constraint
    # (site_id, day, number_prefix, number) already serves, and shown estimates and calls
    # by their (site_id, day) indexes; notices and pauses are read by time.
    op.create_index('ix_delay_notices_site_posted', 'delay_notices', ['site_id', 'posted_at'])
    op.create_index('ix_audit_log_site_action_at', 'audit_log', ['site_id', 'action', 'at'])


def downgrade() -> None:
    op.drop_index('ix_audit_log_site_action_at', table_name='audit_log')
    op.drop_index('ix_delay_notices_site_posted', table_name='delay_notices')
