"""catalog: full-text product search index kept in step by triggers, an index for the category counts; guest access is the guest catalog's toggle

Revision ID: a7c3e9f2b1d4
Revises: a7d4c2e9b1f3
Create Date: 2026-11-30 17:20:00

"""
import sqlalchemy as sa
from alembic import op

from portal.services import catalog_search

# revision identifiers, used by Alembic.
revision = 'a7c3e9f2b1d4'
down_revision = 'a7d4c2e9b1f3'
branch_labels = None
depends_on = None

#: old setting key -> new one (guest access became the guest catalog feature's toggle)
RENAMED = (("guest.enabled", "features.guest_catalog"), ("guest.price_tier", "guest_catalog.price_tier"))


def _rename(old: str, new: str) -> None:
    conn = op.get_bind()
    exists = conn.execute(sa.text("SELECT 1 FROM setting_value WHERE key = :k"), {"k": new}).first()
    if exists is None:
        conn.execute(sa.text("UPDATE setting_value SET key = :new WHERE key = :old"), {"new": new, "old": old})
    conn.execute(sa.text("DELETE FROM setting_value WHERE key = :old"), {"old": old})


def upgrade():
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.create_index('ix_product_category_visibility', ['category_id', 'visibility', 'guest_visible'],
                              unique=False)
    catalog_search.create_index(op.get_bind())
    for old, new in RENAMED:
        _rename(old, new)


def downgrade():
    for old, new in RENAMED:
        _rename(new, old)
    catalog_search.drop_index(op.get_bind())
    with op.batch_alter_table('product', schema=None) as batch_op:
        batch_op.drop_index('ix_product_category_visibility')
