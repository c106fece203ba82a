"""notifications: index (user_id, read_dt) for the back office's unread count, replacing (user_id)

Revision ID: e5b1c9d3a7f2
Revises: d5e3b9f7a2c8
Create Date: 2026-11-30 23:00:00

"""
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5b1c9d3a7f2'
down_revision = 'd5e3b9f7a2c8'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_id_read_dt', ['user_id', 'read_dt'], unique=False)
        batch_op.drop_index('ix_notification_user_id')


def downgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_id', ['user_id'], unique=False)
        batch_op.drop_index('ix_notification_user_id_read_dt')
