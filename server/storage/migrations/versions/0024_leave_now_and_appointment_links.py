"""remote tickets remember when they were told to leave; appointments carry a mobile
number and the morning link's digest

Revision ID: 0024
Revises: 0021
Create Date: 2026-12-04 14:00:00
"""

import sqlalchemy as sa
from alembic import op

import server.storage.types

revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column(
        'tickets', sa.Column('leave_told_at', server.storage.types.UTCDateTime(), nullable=True)
    )
    op.add_column('appointments', sa.Column('mobile', sa.String(length=32), nullable=True))
    op.add_column('appointments', sa.Column('link_digest', sa.String(length=64), nullable=True))
    op.add_column(
        'appointments',
        sa.Column('link_sent_at', server.storage.types.UTCDateTime(), nullable=True),
    )
    op.create_index(
        op.f('ix_appointments_link_digest'), 'appointments', ['link_digest'], unique=True
    )


def downgrade() -> None:
    op.drop_index(op.f('ix_appointments_link_digest'), table_name='appointments')
    with op.batch_alter_table('appointments', recreate='never') as batch:
        batch.drop_column('link_sent_at')
        batch.drop_column('link_digest')
        batch.drop_column('mobile')
    with op.batch_alter_table('tickets', recreate='never') as batch:
        batch.drop_column('leave_told_at')
