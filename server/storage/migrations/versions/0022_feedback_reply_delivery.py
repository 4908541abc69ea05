"""a feedback reply's delivery: pending, sent or failed, its words until sent, its text message

Revision ID: 0022
Revises: 0021
Create Date: 2026-12-04 14:00:00
"""

import sqlalchemy as sa
from alembic import op

import server.storage.types


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # A new foreign key: SQLite makes the table anew (migrate.py holds foreign keys back).
    with op.batch_alter_table('feedback_answers', schema=None) as batch:
        batch.add_column(sa.Column('reply_status', sa.String(length=8), nullable=True))
        batch.add_column(sa.Column('reply_text', sa.String(length=2000), nullable=True))
        batch.add_column(
            sa.Column('reply_attempts', sa.Integer(), server_default='0', nullable=False)
        )
        batch.add_column(sa.Column('reply_tried_at', server.storage.types.UTCDateTime(), nullable=True))
        batch.add_column(sa.Column('reply_error', sa.String(length=200), nullable=True))
        batch.add_column(sa.Column('reply_message_id', sa.Integer(), nullable=True))
        batch.create_foreign_key(
            batch.f('fk_feedback_answers_reply_message_id_outbox'),
            'outbox',
            ['reply_message_id'],
            ['id'],
            ondelete='SET NULL',
        )
        batch.create_index(
            batch.f('ix_feedback_answers_reply_status'), ['reply_status'], unique=False
        )
        batch.create_index(
            batch.f('ix_feedback_answers_reply_message_id'), ['reply_message_id'], unique=False
        )


def downgrade() -> None:
    with op.batch_alter_table('feedback_answers', schema=None) as batch:
        batch.drop_index(batch.f('ix_feedback_answers_reply_message_id'))
        batch.drop_index(batch.f('ix_feedback_answers_reply_status'))
        batch.drop_constraint(
            batch.f('fk_feedback_answers_reply_message_id_outbox'), type_='foreignkey'
        )
        for name in (
            'reply_message_id',
            'reply_error',
            'reply_tried_at',
            'reply_attempts',
            'reply_text',
            'reply_status',
        ):
            batch.drop_column(name)
