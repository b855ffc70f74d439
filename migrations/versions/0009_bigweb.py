"""a big day: moments' time of day as a column (ordering and paging in SQL) with its indexes; render plans
and long logs in storage (keys on the row)

Revision ID: 0009_bigweb
Revises: 0008_faces
"""
from alembic import op
import sqlalchemy as sa


revision = '0009_bigweb'
down_revision = '0008_faces'
branch_labels = None
depends_on = None

BATCH = 1000


def _backfill_day_us() -> None:
    """Every existing moment gets its time of day (microseconds since local midnight), computed in Python so
    SQLite and PostgreSQL get the same value as new rows (app/models.py day_us_of)."""
    bind = op.get_bind()
    moments = sa.table('moments', sa.column('id', sa.Integer), sa.column('captured_local', sa.DateTime),
                       sa.column('day_us', sa.BigInteger))
    last = 0
    while True:
        rows = bind.execute(sa.select(moments.c.id, moments.c.captured_local).where(moments.c.id > last)
                            .order_by(moments.c.id).limit(BATCH)).all()
        if not rows:
            return
        values = [{'row_id': i, 'us': ((t.hour * 60 + t.minute) * 60 + t.second) * 1_000_000 + t.microsecond}
                  for i, t in rows]
        bind.execute(moments.update().where(moments.c.id == sa.bindparam('row_id'))
                     .values(day_us=sa.bindparam('us')), values)
        last = rows[-1][0]


def upgrade() -> None:
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.add_column(sa.Column('day_us', sa.BigInteger(), server_default='0', nullable=False))
    _backfill_day_us()
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.create_index('ix_moments_project_day', ['project_id', 'day_us', 'id'], unique=False)
        batch_op.create_index('ix_moments_project_status_day', ['project_id', 'status', 'day_us', 'id'],
                              unique=False)
        batch_op.create_index('ix_moments_project_status_role_day', ['project_id', 'status', 'role', 'day_us'],
                              unique=False)
        batch_op.create_index('ix_moments_project_status_updated', ['project_id', 'status', 'updated_at', 'id'],
                              unique=False)
    with op.batch_alter_table('renders', schema=None) as batch_op:
        batch_op.add_column(sa.Column('plan_key', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('log_key', sa.String(length=255), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('renders', schema=None) as batch_op:
        batch_op.drop_column('log_key')
        batch_op.drop_column('plan_key')
    with op.batch_alter_table('moments', schema=None) as batch_op:
        batch_op.drop_index('ix_moments_project_status_updated')
        batch_op.drop_index('ix_moments_project_status_role_day')
        batch_op.drop_index('ix_moments_project_status_day')
        batch_op.drop_index('ix_moments_project_day')
        batch_op.drop_column('day_us')
