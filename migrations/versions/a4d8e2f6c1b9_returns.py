"""returns: line reasons and received quantities, staff decision dates, credit note link, return_attachment

Revision ID: a4d8e2f6c1b9
Revises: c4e8a1f6d2b9
Create Date: 2026-12-01 03:00:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a4d8e2f6c1b9'
down_revision = 'c4e8a1f6d2b9'
branch_labels = None
depends_on = None

QTY = sa.Numeric(precision=12, scale=3)


def upgrade():
    with op.batch_alter_table('return_request', schema=None) as batch_op:
        batch_op.add_column(sa.Column('acting_rep_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('credit_note_id', sa.Integer(), nullable=True))
        batch_op.add_column(sa.Column('decided_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('received_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.add_column(sa.Column('credited_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_return_request_acting_rep_id_user'), 'user',
                                    ['acting_rep_id'], ['id'], ondelete='SET NULL')
        batch_op.create_foreign_key(batch_op.f('fk_return_request_credit_note_id_credit_note'), 'credit_note',
                                    ['credit_note_id'], ['id'], ondelete='SET NULL')
        batch_op.create_unique_constraint(batch_op.f('uq_return_request_credit_note_id'), ['credit_note_id'])
        batch_op.create_index(batch_op.f('ix_return_request_order_id'), ['order_id'], unique=False)
    # "refunded" became "credited" (a credit note is what a return ends in)
    op.execute("UPDATE return_request SET status = 'credited' WHERE status = 'refunded'")
    with op.batch_alter_table('return_line', schema=None) as batch_op:
        batch_op.add_column(sa.Column('reason_code', sa.String(length=20), nullable=True))
        batch_op.add_column(sa.Column('quantity_received', QTY, nullable=True))
        batch_op.create_index(batch_op.f('ix_return_line_order_line_id'), ['order_line_id'], unique=False)
    op.create_table(
        'return_attachment',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('return_request_id', sa.Integer(), nullable=False),
        sa.Column('stored_name', sa.String(length=80), nullable=False),
        sa.Column('filename', sa.String(length=120), nullable=False),
        sa.Column('size', sa.Integer(), nullable=False),
        sa.Column('created_dt', sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(['return_request_id'], ['return_request.id'],
                                name=op.f('fk_return_attachment_return_request_id_return_request'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_return_attachment')),
    )
    with op.batch_alter_table('return_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_return_attachment_return_request_id'), ['return_request_id'],
                              unique=False)


def downgrade():
    with op.batch_alter_table('return_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_attachment_return_request_id'))
    op.drop_table('return_attachment')
    with op.batch_alter_table('return_line', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_line_order_line_id'))
        batch_op.drop_column('quantity_received')
        batch_op.drop_column('reason_code')
    op.execute("UPDATE return_request SET status = 'refunded' WHERE status = 'credited'")
    with op.batch_alter_table('return_request', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_return_request_order_id'))
        batch_op.drop_constraint(batch_op.f('uq_return_request_credit_note_id'), type_='unique')
        batch_op.drop_constraint(batch_op.f('fk_return_request_credit_note_id_credit_note'), type_='foreignkey')
        batch_op.drop_constraint(batch_op.f('fk_return_request_acting_rep_id_user'), type_='foreignkey')
        batch_op.drop_column('credited_dt')
        batch_op.drop_column('received_dt')
        batch_op.drop_column('decided_dt')
        batch_op.drop_column('credit_note_id')
        batch_op.drop_column('acting_rep_id')
