"""sites keep the last simulated wait of each line

Revision ID: 0004
Revises: 0003
Create Date: 2026-12-02 03:40:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0004'
down_revision = '0003'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate='never', as in 0003: a nullable column is added in place on SQLite.
    with op.batch_alter_table('sites', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('service_waits', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('sites', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('service_waits')
