"""stock_revision: a token database triggers replace whenever a stock level's on hand or reserved
figure changes, or a stock level is added or removed (the "in stock only" counts are kept per revision)

Revision ID: b4e8d2f6a1c3
Revises: e3b7c1d9a5f2
Create Date: 2026-12-01 17:00:00

"""
from alembic import op

from portal.services import catalog_revision

# revision identifiers, used by Alembic.
revision = 'b4e8d2f6a1c3'
down_revision = 'e3b7c1d9a5f2'
branch_labels = None
depends_on = None


def upgrade():
    catalog_revision.STOCK.create(op.get_bind())


def downgrade():
    catalog_revision.STOCK.drop(op.get_bind())
