"""execution zones (CONTRACT 10): an asset's zone, and the zone a run's part is queued or running in,
and the finished parts (which worker ran which hosts)

Revision ID: 0006
Revises: 0005
Create Date: 2026-11-30 02:00:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table("assets") as batch:
        batch.add_column(sa.Column("zone", sa.String(length=64), nullable=False, server_default="default"))
        batch.create_index("ix_assets_zone", ["zone"])
    with op.batch_alter_table("runs") as batch:
        batch.add_column(sa.Column("zone", sa.String(length=64), nullable=True))
        batch.add_column(sa.Column("zone_parts", sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table("runs") as batch:
        batch.drop_column("zone_parts")
        batch.drop_column("zone")
    with op.batch_alter_table("assets") as batch:
        batch.drop_index("ix_assets_zone")
        batch.drop_column("zone")
