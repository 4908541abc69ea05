"""the audit log: entries not tied to a site, who by name, the address, a hash chain

Revision ID: 0006
Revises: 0005
Create Date: 2026-12-03 12:10:00
"""

from alembic import op
import sqlalchemy as sa
import server.storage.types
from server.domain.audit import GENESIS, entry_hash


revision = '0006'
down_revision = '0005'
branch_labels = None
depends_on = None

_audit_log = sa.table(
    'audit_log',
    sa.column('id', sa.Integer()),
    sa.column('at', server.storage.types.UTCDateTime()),
    sa.column('site_id', sa.Integer()),
    sa.column('user_id', sa.Integer()),
    sa.column('username', sa.String()),
    sa.column('address', sa.String()),
    sa.column('ticket_id', sa.Integer()),
    sa.column('action', sa.String()),
    sa.column('detail', sa.JSON()),
    sa.column('hash', sa.String()),
)


def upgrade() -> None:
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.add_column(sa.Column('username', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('address', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('hash', sa.String(length=64), nullable=True))
        batch_op.alter_column('site_id', existing_type=sa.Integer(), nullable=True)
    _chain_existing_entries()
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('hash', existing_type=sa.String(length=64), nullable=False)


def _chain_existing_entries() -> None:
    """The entries written before the chain, linked in id order (as storage/audit_chain.py
    links new ones)."""
    connection = op.get_bind()
    previous = GENESIS
    rows = connection.execute(sa.select(_audit_log).order_by(_audit_log.c.id)).mappings().all()
    for row in rows:
        fields = {
            'at': row['at'].isoformat(),
            'site_id': row['site_id'],
            'user_id': row['user_id'],
            'username': None,
            'address': None,
            'ticket_id': row['ticket_id'],
            'action': row['action'],
            'detail': row['detail'] or {},
        }
        previous = entry_hash(previous, fields)
        connection.execute(
            _audit_log.update().where(_audit_log.c.id == row['id']).values(hash=previous)
        )


def downgrade() -> None:
    op.execute(_audit_log.delete().where(_audit_log.c.site_id.is_(None)))
    with op.batch_alter_table('audit_log', schema=None) as batch_op:
        batch_op.alter_column('site_id', existing_type=sa.Integer(), nullable=False)
        batch_op.drop_column('hash')
        batch_op.drop_column('address')
        batch_op.drop_column('username')
