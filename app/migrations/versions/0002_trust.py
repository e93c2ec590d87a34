"""trust: approvals used by one run, plan state 'finished', login throttling, no runner pid

Revision ID: 0002
Revises: 0001
Create Date: 2026-11-29 22:30:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("approvals") as batch:
        batch.add_column(sa.Column("run_id", sa.String(length=32), nullable=True))
        batch.create_index("ix_approvals_run_id", ["run_id"])
    # an approval that a run already used counts as used (the oldest run of each approval)
    op.execute("UPDATE approvals SET run_id = (SELECT runs.id FROM runs WHERE runs.approval_id = approvals.id "
               "AND runs.parent_run_id IS NULL ORDER BY runs.created_at LIMIT 1)")
    op.execute("UPDATE plans SET state = 'finished' WHERE state = 'done'")
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("runner_pid")
        batch.create_index("ix_runs_plan_id", ["plan_id"])
        batch.create_index("ix_runs_parent_run_id", ["parent_run_id"])
    op.create_table(
        "login_failures",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("username", sa.String(length=128), nullable=False),
        sa.Column("address", sa.String(length=64), nullable=False),
        sa.Column("at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
    )
    op.create_index("ix_login_failures_username_at", "login_failures", ["username", "at"])
    op.create_index("ix_login_failures_address_at", "login_failures", ["address", "at"])


def downgrade() -> None:
    op.drop_table("login_failures")
    with op.batch_alter_table("runs") as batch:
        batch.drop_index("ix_runs_parent_run_id")
        batch.drop_index("ix_runs_plan_id")
        batch.add_column(sa.Column("runner_pid", sa.Integer(), nullable=True))
    op.execute("UPDATE plans SET state = 'done' WHERE state = 'finished'")
    with op.batch_alter_table("approvals") as batch:
        batch.drop_index("ix_approvals_run_id")
        batch.drop_column("run_id")
