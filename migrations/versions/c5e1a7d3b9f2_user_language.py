"""user.language: the language a contact reads the portal and emails in (NULL = the business's default)

Revision ID: c5e1a7d3b9f2
Revises: b8e4d1f6a3c9
Create Date: 2026-12-01 03:30:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'c5e1a7d3b9f2'
down_revision = 'b8e4d1f6a3c9'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.add_column(sa.Column('language', sa.String(length=8), nullable=True))


def downgrade():
    with op.batch_alter_table('user', schema=None) as batch_op:
        batch_op.drop_column('language')
