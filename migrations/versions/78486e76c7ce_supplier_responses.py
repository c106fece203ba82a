"""supplier responses: purchase order acknowledgement, delivery_date_proposal, purchase_order_note, bill paid date

Revision ID: 78486e76c7ce
Revises: c5e1a7d3b9f2
Create Date: 2026-12-01 05:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '78486e76c7ce'
down_revision = 'c5e1a7d3b9f2'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acknowledged_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('acknowledged_by_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_purchase_order_acknowledged_by_id_user'), 'user',
                                    ['acknowledged_by_id'], ['id'], ondelete='SET NULL')
    with op.batch_alter_table('supplier_bill', schema=None) as batch_op:
        batch_op.add_column(sa.Column('paid_date', sa.Date(), nullable=True))
    op.create_table(
        'delivery_date_proposal',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purchase_order_id', sa.Integer(), nullable=False),
        sa.Column('proposed_date', sa.Date(), nullable=False),
        sa.Column('reason', sa.String(length=500), nullable=False),
        sa.Column('status', sa.Enum('pending', 'accepted', 'declined', name='proposalstatus', native_enum=False,
                                    length=20), nullable=False),
        sa.Column('proposed_by_id', sa.Integer(), nullable=True),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.Column('decided_by_id', sa.Integer(), nullable=True),
        sa.Column('decided_dt', sa.DateTime(timezone=True), nullable=True),
        sa.Column('answer', sa.String(length=500), nullable=False),
        sa.ForeignKeyConstraint(['decided_by_id'], ['user.id'],
                                name=op.f('fk_delivery_date_proposal_decided_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['proposed_by_id'], ['user.id'],
                                name=op.f('fk_delivery_date_proposal_proposed_by_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_order.id'],
                                name=op.f('fk_delivery_date_proposal_purchase_order_id_purchase_order'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_delivery_date_proposal')),
    )
    with op.batch_alter_table('delivery_date_proposal', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delivery_date_proposal_purchase_order_id'), ['purchase_order_id'],
                              unique=False)
    op.create_table(
        'purchase_order_note',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('purchase_order_id', sa.Integer(), nullable=False),
        sa.Column('author_id', sa.Integer(), nullable=True),
        sa.Column('body', sa.Text(), nullable=False),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['author_id'], ['user.id'],
                                name=op.f('fk_purchase_order_note_author_id_user'), ondelete='SET NULL'),
        sa.ForeignKeyConstraint(['purchase_order_id'], ['purchase_order.id'],
                                name=op.f('fk_purchase_order_note_purchase_order_id_purchase_order'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_purchase_order_note')),
    )
    with op.batch_alter_table('purchase_order_note', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_purchase_order_note_purchase_order_id'), ['purchase_order_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('purchase_order_note', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_purchase_order_note_purchase_order_id'))
    op.drop_table('purchase_order_note')
    with op.batch_alter_table('delivery_date_proposal', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delivery_date_proposal_purchase_order_id'))
    op.drop_table('delivery_date_proposal')
    with op.batch_alter_table('supplier_bill', schema=None) as batch_op:
        batch_op.drop_column('paid_date')
    with op.batch_alter_table('purchase_order', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('fk_purchase_order_acknowledged_by_id_user'), type_='foreignkey')
        batch_op.drop_column('acknowledged_by_id')
        batch_op.drop_column('acknowledged_dt')
