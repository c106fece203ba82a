"""catalog: a revision token kept by triggers (the category counts are cached per revision); indexes
for the products listed for a price tier, for promotions by product and category, and for the products not
everyone sees

Revision ID: d5e3b9f7a2c8
Revises: c4d2a8e6f1b7
Create Date: 2026-11-30 23:20:00

"""
from alembic import op

from portal.services import catalog_revision

# revision identifiers, used by Alembic.
revision = 'd5e3b9f7a2c8'
down_revision = 'c4d2a8e6f1b7'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('product_tier_visibility', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_tier_visibility_tier_id'), ['tier_id'], unique=False)
    op.create_index('ix_product_visibility_guest', 'product', ['visibility', 'guest_visible'], unique=False)
    op.create_index('ix_product_created', 'product', ['created_dt', 'id'], unique=False)
    with op.batch_alter_table('promotion', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_promotion_product_id'), ['product_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_promotion_category_id'), ['category_id'], unique=False)
    catalog_revision.create(op.get_bind())


def downgrade():
    catalog_revision.drop(op.get_bind())
    with op.batch_alter_table('promotion', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_promotion_category_id'))
        batch_op.drop_index(batch_op.f('ix_promotion_product_id'))
    op.drop_index('ix_product_created', table_name='product')
    op.drop_index('ix_product_visibility_guest', table_name='product')
    with op.batch_alter_table('product_tier_visibility', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_tier_visibility_tier_id'))
