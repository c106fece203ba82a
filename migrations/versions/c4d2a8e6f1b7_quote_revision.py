"""quotations: the quote's revision number (editing a shared quote starts the next one)

Revision ID: c4d2a8e6f1b7
Revises: b3e1f7a9c2d5
Create Date: 2026-11-30 22:50:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c4d2a8e6f1b7'
down_revision = 'b3e1f7a9c2d5'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.add_column(sa.Column('revision', sa.Integer(), server_default='1', nullable=False))


def downgrade():
    with op.batch_alter_table('quote', schema=None) as batch_op:
        batch_op.drop_column('revision')
