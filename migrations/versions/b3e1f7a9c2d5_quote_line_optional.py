"""quotations: optional quote lines the client may tick (not in the quote's stored totals)

Revision ID: b3e1f7a9c2d5
Revises: a7c3e9f2b1d4
Create Date: 2026-11-30 19:05:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b3e1f7a9c2d5'
down_revision = 'a7c3e9f2b1d4'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('quote_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('optional', sa.Boolean(), server_default=sa.false(), nullable=False))


def downgrade():
    with op.batch_alter_table('quote_line', schema=None) as batch_op:
        batch_op.drop_column('optional')
