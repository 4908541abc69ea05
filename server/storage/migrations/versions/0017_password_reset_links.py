"""users: a one-time password reset link (its token's digest and when it expires)

Revision ID: 0017
Revises: 0016
Create Date: 2026-12-03 17:40:00
"""

from alembic import op
import sqlalchemy as sa

from server.storage.types import UTCDateTime


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reset_digest', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reset_expires_at', UTCDateTime(), nullable=True))
        batch_op.create_unique_constraint('uq_users_reset_digest', ['reset_digest'])


def downgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.drop_constraint('uq_users_reset_digest', type_='unique')
        batch_op.drop_column('reset_expires_at')
        batch_op.drop_column('reset_digest')
