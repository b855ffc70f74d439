"""film segments as queue jobs: one row per segment of each render attempt (claim, outcome)

Revision ID: 0005_fanout
Revises: 0004
"""
from alembic import op
import sqlalchemy as sa


revision = '0005_fanout'
down_revision = '0004'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('render_segments',
    sa.Column('render_id', sa.Integer(), nullable=False),
    sa.Column('attempt', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('lease_owner', sa.String(length=160), nullable=True),
    sa.Column('lease_expires_at', sa.DateTime(), nullable=True),
    sa.Column('worker', sa.String(length=160), nullable=True),
    sa.Column('outcome', sa.JSON(), nullable=True),
    sa.Column('error', sa.Text(), nullable=True),
    sa.Column('finished_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['render_id'], ['renders.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('render_id', 'attempt', 'position')
    )


def downgrade() -> None:
    op.drop_table('render_segments')
