"""faces found in moments (boxes per time for clips) and each moment's blur choices

Revision ID: 0008_faces
Revises: 0007_themes
"""
from alembic import op
import sqlalchemy as sa


revision = '0008_faces'
down_revision = '0007_themes'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('faces',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('moment_id', sa.Integer(), nullable=False),
    sa.Column('boxes', sa.JSON(), nullable=False),
    sa.Column('score', sa.Float(), nullable=False),
    sa.Column('source', sa.String(length=16), nullable=False),
    sa.Column('consented', sa.Boolean(), nullable=False),
    sa.ForeignKeyConstraint(['moment_id'], ['moments.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('faces', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_faces_moment_id'), ['moment_id'], unique=False)
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('faces_status', sa.String(length=16), server_default='pending', nullable=False))
        batch_op.add_column(sa.Column('blur_override', sa.String(length=8), nullable=True))
        batch_op.add_column(sa.Column('blur_own_face', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.drop_column('blur_own_face')
        batch_op.drop_column('blur_override')
        batch_op.drop_column('faces_status')
    with op.batch_alter_table('faces', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_faces_moment_id'))
    op.drop_table('faces')
