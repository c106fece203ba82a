"""integration_key; shipment_event: external_id (unique per shipment) and the integration that posted it

Revision ID: b8e4d1f6a3c9
Revises: b8d3e6f1a2c4
Create Date: 2026-12-01 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'b8e4d1f6a3c9'
down_revision = 'b8d3e6f1a2c4'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        'integration_key',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('name', sa.String(length=120), nullable=False),
        sa.Column('prefix', sa.String(length=16), nullable=False),
        sa.Column('key_hash', sa.String(length=64), nullable=False),
        sa.Column('created_by_id', sa.Integer(), nullable=True),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.Column('last_used_dt', sa.DateTime(timezone=True), nullable=True),
        sa.Column('revoked_dt', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['created_by_id'], ['user.id'],
                                name=op.f('fk_integration_key_created_by_id_user'), ondelete='SET NULL'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_integration_key')),
        sa.UniqueConstraint('prefix', name=op.f('uq_integration_key_prefix')),
    )
    with op.batch_alter_table('shipment_event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('external_id', sa.String(length=100), nullable=True))
        batch_op.add_column(sa.Column('integration_key_id', sa.Integer(), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_shipment_event_shipment_id_external_id'),
                                          ['shipment_id', 'external_id'])
        batch_op.create_foreign_key(batch_op.f('fk_shipment_event_integration_key_id_integration_key'),
                                    'integration_key', ['integration_key_id'], ['id'], ondelete='SET NULL')


def downgrade():
    with op.batch_alter_table('shipment_event', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_shipment_event_integration_key_id_integration_key'),
                                 type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('uq_shipment_event_shipment_id_external_id'), type_='unique')
        batch_op.drop_column('integration_key_id')
        batch_op.drop_column('external_id')
    op.drop_table('integration_key')
