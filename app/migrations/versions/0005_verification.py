"""verification: a check-mode run that verifies a changing run (CONTRACT 8)

Revision ID: 0005
Revises: 0004
Create Date: 2026-11-30 00:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("verifies_run_id", sa.String(length=32), nullable=True))
        batch.create_index("ix_runs_verifies_run_id", ["verifies_run_id"])


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_verifies_run_id")
        batch.drop_column("verifies_run_id")
