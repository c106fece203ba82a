"""search_revision: a token database triggers replace whenever a product's name, SKU or description
changes, or a product is added or removed (a search's ranked matches are kept per revision)

Revision ID: e3b7c1d9a5f2
Revises: a8d4f1c6e2b9
Create Date: 2026-12-01 10:30:00

"""
from alembic import op

from portal.services import catalog_revision

# revision identifiers, used by Alembic.
revision = 'e3b7c1d9a5f2'
down_revision = 'a8d4f1c6e2b9'
branch_labels = None
depends_on = None


def upgrade():
    catalog_revision.SEARCH.create(op.get_bind())


def downgrade():
    catalog_revision.SEARCH.drop(op.get_bind())
