"""server-side staff sessions; same bytes deduplicated per contributor, not per project

Revision ID: 0003
Revises: 0002
"""
from alembic import op
import sqlalchemy as sa


revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('staff_sessions',
    sa.Column('id_hash', sa.String(length=64), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id_hash')
    )
    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_staff_sessions_user_id'), ['user_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_staff_sessions_created_at'), ['created_at'], unique=False)

    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_moment_project_sha256', type_='unique')
        batch_op.create_unique_constraint('uq_moment_project_contributor_sha256',
                                          ['project_id', 'contributor_id', 'sha256'])


def downgrade() -> None:
    # fails if two contributors of one project sent the same bytes (two moments now); that is the point
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.drop_constraint('uq_moment_project_contributor_sha256', type_='unique')
        batch_op.create_unique_constraint('uq_moment_project_sha256', ['project_id', 'sha256'])

    with op.batch_alter_table('staff_sessions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_staff_sessions_created_at'))
        batch_op.drop_index(batch_op.f('ix_staff_sessions_user_id'))
    op.drop_table('staff_sessions')
