"""outbox: a stable Message-ID, the claim token of the worker sending it, the start of its retry window

Revision ID: cc32111434f6
Revises: 5bf04a08a128
Create Date: 2026-11-30 14:28:16.771042

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'cc32111434f6'
down_revision = '5bf04a08a128'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.add_column(sa.Column('message_id', sa.String(length=255), nullable=True))
        batch_op.add_column(sa.Column('claim_token', sa.String(length=32), nullable=True))
        batch_op.add_column(sa.Column('queued_dt', sa.DateTime(timezone=True), nullable=True))
        batch_op.create_unique_constraint(batch_op.f('uq_outbox_email_message_id'), ['message_id'])
    # Email already in the outbox: its retry window runs from when it was written. Its Message-ID is
    # given at its next attempt.
    op.execute("UPDATE outbox_email SET queued_dt = created_dt")
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.alter_column('queued_dt', existing_type=sa.DateTime(timezone=True), nullable=False)


def downgrade():
    with op.batch_alter_table('outbox_email', schema=None) as batch_op:
        batch_op.drop_constraint(batch_op.f('uq_outbox_email_message_id'), type_='unique')
        batch_op.drop_column('queued_dt')
        batch_op.drop_column('claim_token')
        batch_op.drop_column('message_id')
