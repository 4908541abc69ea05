"""the site's arrival poster key: the QR code on a printed arrival poster

Revision ID: 0025
Revises: 0024
Create Date: 2026-12-04 14:00:00
"""

import sqlalchemy as sa
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('sites', sa.Column('poster_key', sa.String(length=64), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sites', recreate='never') as batch:
        batch.drop_column('poster_key')
