"""product_price (tier_id, price) index: a catalog sorted by price reads each tier's cheapest products

Revision ID: c7a3e9f1b5d2
Revises: b4e8d2f6a1c3
Create Date: 2026-12-01 17:15:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c7a3e9f1b5d2'
down_revision = 'b4e8d2f6a1c3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_index("ix_product_price_tier_price", "product_price", ["tier_id", "price"])


def downgrade():
    op.drop_index("ix_product_price_tier_price", table_name="product_price")
