"""appointments: the patient's names and birth date may be removed (retention)

Revision ID: 0009
Revises: 0008
Create Date: 2026-12-03 14:00:00
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None

_COLUMNS = (
    ('first_name', sa.String(length=100)),
    ('last_name', sa.String(length=100)),
    ('last_name_key', sa.String(length=100)),
    ('date_of_birth', sa.Date()),
)


def upgrade() -> None:
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=True)


def downgrade() -> None:
    # Appointments whose data was removed cannot be made whole again: they go.
    op.execute(sa.text('DELETE FROM appointments WHERE date_of_birth IS NULL OR last_name IS NULL'))
    with op.batch_alter_table('appointments', schema=None) as batch_op:
        for name, kind in _COLUMNS:
            batch_op.alter_column(name, existing_type=kind, nullable=False)
