"""staff accounts: temporary passwords, TOTP; screens paired with devices

Revision ID: 0012
Revises: 0011
Create Date: 2026-12-03 14:40:00
"""

from alembic import op
import sqlalchemy as sa
import server.storage.types


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('users', schema=None) as batch_op:
        batch_op.add_column(sa.Column('must_change_password', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('totp_secret', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('totp_enabled', sa.Boolean(), server_default=sa.false(), nullable=False))
        batch_op.add_column(sa.Column('totp_last_step', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('recovery_codes', sa.JSON(), server_default='[]', nullable=False))
    op.create_table('screen_pairings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('token_digest', sa.String(length=64), nullable=False),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('code', sa.String(length=8), nullable=True),
    sa.Column('created_at', server.storage.types.UTCDateTime(), nullable=False),
    sa.Column('device_id', sa.Integer(), nullable=True),
    sa.Column('paired_at', server.storage.types.UTCDateTime(), nullable=True),
    sa.Column('ended_at', server.storage.types.UTCDateTime(), nullable=True),
    sa.ForeignKeyConstraint(['device_id'], ['devices.id'], name=op.f('fk_screen_pairings_device_id_devices'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screen_pairings')),
    sa.UniqueConstraint('token_digest', name=op.f('uq_screen_pairings_token_digest'))
    )
    with op.batch_alter_table('screen_pairings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screen_pairings_code'), ['code'], unique=False)
        batch_op.create_index(batch_op.f('ix_screen_pairings_device_id'), ['device_id'], unique=False)


def downgrade() -> None:
    op.drop_table('screen_pairings')
    with op.batch_alter_table('users', schema=None) as batch_op:
        for name in ('recovery_codes', 'totp_last_step', 'totp_enabled', 'totp_secret', 'must_change_password'):
            batch_op.drop_column(name)
