"""themes of the day (staff-owned), where each moment stands, and the workshop's actions

Revision ID: 0007_themes
Revises: 0006_wall
"""
from alembic import op
import sqlalchemy as sa


revision = '0007_themes'
down_revision = '0006_wall'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=200), nullable=False),
    sa.Column('name', sa.String(length=120), nullable=False),
    sa.Column('terms', sa.JSON(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('origin', sa.String(length=16), nullable=False),
    sa.Column('removed', sa.Boolean(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_themes_project_id'), ['project_id'], unique=False)

    op.create_table('theme_members',
    sa.Column('moment_id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('state', sa.String(length=16), nullable=False),
    sa.Column('updated_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['moment_id'], ['moments.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['themes.id'], ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('moment_id')
    )
    with op.batch_alter_table('theme_members', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_theme_members_project_id'), ['project_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_theme_members_theme_id'), ['theme_id'], unique=False)

    op.create_table('workshop_actions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('project_id', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('owner', sa.String(length=120), nullable=False),
    sa.Column('due', sa.Date(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['project_id'], ['projects.id'], ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id')
    )
    with op.batch_alter_table('workshop_actions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_workshop_actions_project_id'), ['project_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('workshop_actions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_workshop_actions_project_id'))
    op.drop_table('workshop_actions')
    with op.batch_alter_table('theme_members', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_theme_members_theme_id'))
        batch_op.drop_index(batch_op.f('ix_theme_members_project_id'))
    op.drop_table('theme_members')
    with op.batch_alter_table('themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_themes_project_id'))
    op.drop_table('themes')
