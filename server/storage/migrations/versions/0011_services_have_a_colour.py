"""services: a colour of their own on the screens (set in the admin console)

Revision ID: 0011
Revises: 0014
Create Date: 2026-12-03 14:30:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate='never', as in 0003 and 0004: SQLite adds (and drops) the column in place;
    # copying the table would fail with tickets and rooms pointing at its rows.
    with op.batch_alter_table('services', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('colour', sa.String(length=7), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('services', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('colour')
