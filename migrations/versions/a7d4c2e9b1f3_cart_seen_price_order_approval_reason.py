"""cart seen price, order approval reason

Revision ID: a7d4c2e9b1f3
Revises: cc32111434f6
Create Date: 2026-11-30 17:20:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a7d4c2e9b1f3'
down_revision = 'cc32111434f6'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('cart_item', schema=None) as batch_op:
        batch_op.add_column(sa.Column('seen_price', sa.Numeric(precision=14, scale=2), nullable=True))
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('approval_reason', sa.String(length=16), nullable=True))


def downgrade():
    with op.batch_alter_table('sales_order', schema=None) as batch_op:
        batch_op.drop_column('approval_reason')
    with op.batch_alter_table('cart_item', schema=None) as batch_op:
        batch_op.drop_column('seen_price')
