"""notifications for portal users: notification.company_id, index (user_id, company_id, read_dt)

Revision ID: a8d4f1c6e2b9
Revises: 7b1474ca032f
Create Date: 2026-12-01 05:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'a8d4f1c6e2b9'
down_revision = '7b1474ca032f'
branch_labels = None
depends_on = None


def upgrade():
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.add_column(sa.Column('company_id', sa.Integer(), nullable=True))
        batch_op.create_foreign_key(batch_op.f('fk_notification_company_id_company'), 'company',
                                    ['company_id'], ['id'], ondelete='CASCADE')
        batch_op.create_index('ix_notification_user_id_company_id_read_dt', ['user_id', 'company_id', 'read_dt'],
                              unique=False)
        batch_op.drop_index('ix_notification_user_id_read_dt')


def downgrade():
    op.execute("DELETE FROM notification WHERE company_id IS NOT NULL")
    with op.batch_alter_table('notification', schema=None) as batch_op:
        batch_op.create_index('ix_notification_user_id_read_dt', ['user_id', 'read_dt'], unique=False)
        batch_op.drop_index('ix_notification_user_id_company_id_read_dt')
        batch_op.drop_constraint(batch_op.f('fk_notification_company_id_company'), type_='foreignkey')
        batch_op.drop_column('company_id')
