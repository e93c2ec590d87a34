"""host keys: pinned SSH host keys of assets, their source and time, and a changed key waiting for acceptance

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-01 10:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0003"
down_revision = "0002"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("host_keys", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("host_key_source", sa.String(length=16), nullable=True))
        batch.add_column(sa.Column("host_keys_pinned_at", sa.DateTime(timezone=True), nullable=True))
        batch.add_column(sa.Column("host_keys_pending", sa.JSON(), nullable=False, server_default=sa.text("'[]'")))
        batch.add_column(sa.Column("host_keys_pending_at", sa.DateTime(timezone=True), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.drop_column("host_keys_pending_at")
        batch.drop_column("host_keys_pending")
        batch.drop_column("host_keys_pinned_at")
        batch.drop_column("host_key_source")
        batch.drop_column("host_keys")
