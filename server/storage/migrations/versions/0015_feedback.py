"""feedback: answers to the visit survey, their cases, "You said, we did" statements

Revision ID: 0015
Revises: 0010
Create Date: 2026-12-03 15:00:00
"""

from alembic import op
import sqlalchemy as sa

from server.storage.types import UTCDateTime


revision = '0015'
down_revision = '0010'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'feedback_answers',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('ticket_id', sa.Integer(), nullable=True),
        sa.Column('service_id', sa.Integer(), nullable=True),
        sa.Column('language', sa.String(length=8), nullable=False),
        sa.Column('rating', sa.String(length=16), nullable=False),
        sa.Column('text', sa.String(length=2000), nullable=True),
        sa.Column('complaint', sa.Boolean(), nullable=False),
        sa.Column('contact_kind', sa.String(length=8), nullable=True),
        sa.Column('contact', sa.String(length=254), nullable=True),
        sa.Column('wait_minutes', sa.Double(), nullable=True),
        sa.Column('visit_day', sa.Date(), nullable=False),
        sa.Column('answered_at', UTCDateTime(), nullable=False),
        sa.Column('changed_at', UTCDateTime(), nullable=True),
        sa.Column('case_status', sa.String(length=16), nullable=True),
        sa.Column('case_opened_at', UTCDateTime(), nullable=True),
        sa.Column('what_we_did', sa.String(length=2000), nullable=True),
        sa.Column('case_closed_at', UTCDateTime(), nullable=True),
        sa.Column('text_removed_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['service_id'], ['services.id']),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id']),
        sa.ForeignKeyConstraint(['ticket_id'], ['tickets.id']),
        sa.PrimaryKeyConstraint('id'),
        sa.UniqueConstraint('ticket_id'),
    )
    with op.batch_alter_table('feedback_answers', schema=None) as batch_op:
        batch_op.create_index('ix_feedback_answers_site_at', ['site_id', 'answered_at'])
        batch_op.create_index(batch_op.f('ix_feedback_answers_case_status'), ['case_status'])
    op.create_table(
        'feedback_statements',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('site_id', sa.Integer(), nullable=False),
        sa.Column('answer_id', sa.Integer(), nullable=True),
        sa.Column('text', sa.String(length=280), nullable=False),
        sa.Column('created_at', UTCDateTime(), nullable=False),
        sa.Column('published_at', UTCDateTime(), nullable=True),
        sa.ForeignKeyConstraint(['answer_id'], ['feedback_answers.id']),
        sa.ForeignKeyConstraint(['site_id'], ['sites.id']),
        sa.PrimaryKeyConstraint('id'),
    )
    with op.batch_alter_table('feedback_statements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_feedback_statements_site_id'), ['site_id'])


def downgrade() -> None:
    op.drop_table('feedback_statements')
    op.drop_table('feedback_answers')
