"""remote tickets: travel time, arrival and hold on tickets; the desk's pause of remote joining

Revision ID: 0019
Revises: 0018
Create Date: 2026-12-03 17:45:00
"""

import sqlalchemy as sa
from alembic import op

import server.storage.types

revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('tickets', sa.Column('travel_minutes', sa.Integer(), nullable=True))
    op.add_column('tickets', sa.Column('here_at', server.storage.types.UTCDateTime(), nullable=True))
    op.add_column('tickets', sa.Column('held_at', server.storage.types.UTCDateTime(), nullable=True))
    op.add_column('sites', sa.Column('remote_pause', sa.String(length=200), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sites', recreate='never') as batch:
        batch.drop_column('remote_pause')
    with op.batch_alter_table('tickets', recreate='never') as batch:
        batch.drop_column('held_at')
        batch.drop_column('here_at')
        batch.drop_column('travel_minutes')
