"""imports: the column mapping remembered per import kind

Revision ID: b8e4f1c6d2a7
Revises: f2c7d4a9b1e3
Create Date: 2026-12-01 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8e4f1c6d2a7'
down_revision = 'f2c7d4a9b1e3'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'import_mapping',
        sa.Column('kind', sa.String(length=40), nullable=False),
        sa.Column('mapping', sa.JSON(), nullable=False),
        sa.Column('updated_dt', sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint('kind', name=op.f('pk_import_mapping')),
    )


def downgrade():
    op.drop_table('import_mapping')
