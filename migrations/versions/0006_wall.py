"""the live wall's poll: an index on moments (project_id, updated_at)

Revision ID: 0006_wall
Revises: 0005_fanout
"""
from alembic import op


revision = '0006_wall'
down_revision = '0005_fanout'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.create_index('ix_moments_project_updated', ['project_id', 'updated_at'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.drop_index('ix_moments_project_updated')
