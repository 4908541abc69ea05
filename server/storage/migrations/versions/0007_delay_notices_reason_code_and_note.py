"""delay notices: a reason picked from the site's list, its words, and a note

Revision ID: 0007
Revises: 0006
Create Date: 2026-12-03 13:50:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    # recreate='never': SQLite adds nullable columns in place (copying the table would
    # fail on a database with notices that other rows point at).
    with op.batch_alter_table('delay_notices', schema=None, recreate='never') as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=64), nullable=True))
        batch_op.add_column(sa.Column('reason_names', sa.JSON(), nullable=True))
        batch_op.add_column(sa.Column('note', sa.String(length=200), nullable=True))
    # A notice posted before the list existed was typed by staff: it is a note.
    op.execute("UPDATE delay_notices SET note = reason")


def downgrade() -> None:
    with op.batch_alter_table('delay_notices', schema=None, recreate='never') as batch_op:
        batch_op.drop_column('note')
        batch_op.drop_column('reason_names')
        batch_op.drop_column('reason_code')
