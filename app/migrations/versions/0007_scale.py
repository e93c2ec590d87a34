"""scale: indexes for target resolution (group members, environment, OS) and the asset version counter

Revision ID: 0007
Revises: 0006
Create Date: 2026-11-30 02:10:00
"""
import sqlalchemy as sa
from alembic import op

revision = "0007"
down_revision = "0006"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_index("ix_asset_groups_group_id", "asset_groups", ["group_id"])
    op.create_index("ix_assets_environment", "assets", ["environment"])
    op.create_index("ix_assets_os", "assets", ["os"])
    settings = sa.table("settings", sa.column("key", sa.String), sa.column("value", sa.Text))
    op.execute(sa.delete(settings).where(settings.c.key == "asset_version"))
    op.bulk_insert(settings, [{"key": "asset_version", "value": "1"}])


def downgrade() -> None:
    settings = sa.table("settings", sa.column("key", sa.String))
    op.execute(sa.delete(settings).where(settings.c.key == "asset_version"))
    op.drop_index("ix_assets_os", "assets")
    op.drop_index("ix_assets_environment", "assets")
    op.drop_index("ix_asset_groups_group_id", "asset_groups")
