"""notifications: the outbox, and the patients' contacts per ticket

Revision ID: 0010
Revises: 0012
Create Date: 2026-12-03 14:30:00
"""

from alembic import op
import sqlalchemy as sa
import server.storage.types


revision = '0010'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('ticket_contacts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=False),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=2000), nullable=False),
    sa.Column('added_at', server.storage.types.UTCDateTime(), nullable=False),
    sa.Column('told_next', sa.Boolean(), server_default=sa.false(), nullable=False),
    sa.Column('last_outcome', sa.String(length=8), nullable=True),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_ticket_contacts_ticket_id_tickets'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_ticket_contacts')),
    sa.UniqueConstraint('ticket_id', 'channel', name=op.f('uq_ticket_contacts_ticket_id_channel'))
    )
    op.create_table('outbox',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('site_id', sa.Integer(), nullable=False),
    sa.Column('ticket_id', sa.Integer(), nullable=True),
    sa.Column('contact_id', sa.Integer(), nullable=True),
    sa.Column('channel', sa.String(length=16), nullable=False),
    sa.Column('address', sa.String(length=2000), nullable=True),
    sa.Column('kind', sa.String(length=16), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('created_at', server.storage.types.UTCDateTime(), nullable=False),
    sa.Column('next_try_at', server.storage.types.UTCDateTime(), nullable=False),
    sa.Column('attempts', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=8), nullable=False),
    sa.Column('sent_at', server.storage.types.UTCDateTime(), nullable=True),
    sa.Column('error', sa.String(length=200), nullable=True),
    sa.ForeignKeyConstraint(['contact_id'], ['ticket_contacts.id'], name=op.f('fk_outbox_contact_id_ticket_contacts'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['site_id'], ['sites.id'], name=op.f('fk_outbox_site_id_sites')),
    sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id'], name=op.f('fk_outbox_ticket_id_tickets'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox'))
    )
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.create_index('ix_outbox_due', ['status', 'next_try_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('outbox', schema=None) as batch_op:
        batch_op.drop_index('ix_outbox_due')
    op.drop_table('outbox')
    op.drop_table('ticket_contacts')
