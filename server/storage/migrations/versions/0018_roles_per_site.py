"""user_sites: an account's role may differ per site (NULL: the account's role)

Revision ID: 0018
Revises: 0017
Create Date: 2026-12-03 18:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('user_sites', schema=None) as batch_op:
        batch_op.add_column(sa.Column('role', sa.String(length=16), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('user_sites', schema=None) as batch_op:
        batch_op.drop_column('role')
