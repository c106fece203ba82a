"""quotations: typed-name e-signatures kept as chained evidence; outbox emails carry attachments

Revision ID: e5a9c3f1d7b2
Revises: e5b1c9d3a7f2
Create Date: 2026-11-30 23:20:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = 'e5a9c3f1d7b2'
down_revision = 'e5b1c9d3a7f2'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('quote_signature',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('quote_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('snapshot', sa.Text(), nullable=False),
    sa.Column('snapshot_sha256', sa.String(length=64), nullable=False),
    sa.Column('pdf', sa.LargeBinary(), nullable=False),
    sa.Column('pdf_sha256', sa.String(length=64), nullable=False),
    sa.Column('signer_name', sa.String(length=200), nullable=False),
    sa.Column('signer_email', sa.String(length=254), nullable=False),
    sa.Column('link_id', sa.Integer(), nullable=True),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('acting_rep_id', sa.Integer(), nullable=True),
    sa.Column('consent_text', sa.Text(), nullable=False),
    sa.Column('consent_sha256', sa.String(length=64), nullable=False),
    sa.Column('signed_dt', sa.DateTime(timezone=True), nullable=False),
    sa.Column('signed_at', sa.String(length=40), nullable=False),
    sa.Column('ip', sa.String(length=64), nullable=True),
    sa.Column('user_agent', sa.String(length=255), nullable=True),
    sa.Column('prev_hash', sa.String(length=64), nullable=False),
    sa.Column('record_hash', sa.String(length=64), nullable=False),
    sa.ForeignKeyConstraint(['quote_id'], ['quote.id'], name=op.f('fk_quote_signature_quote_id_quote'),
                            ondelete='RESTRICT'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_quote_signature')),
    sa.UniqueConstraint('quote_id', 'revision', name=op.f('uq_quote_signature_quote_id_revision')),
    sa.UniqueConstraint('record_hash', name=op.f('uq_quote_signature_record_hash'))
    )
    with op.batch_alter_table('quote_signature', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_quote_signature_quote_id'), ['quote_id'], unique=False)

    op.create_table('outbox_attachment',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('email_id', sa.Integer(), nullable=False),
    sa.Column('filename', sa.String(length=255), nullable=False),
    sa.Column('content_type', sa.String(length=100), nullable=False),
    sa.Column('data', sa.LargeBinary(), nullable=False),
    sa.ForeignKeyConstraint(['email_id'], ['outbox_email.id'], name=op.f('fk_outbox_attachment_email_id_outbox_email'),
                            ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_outbox_attachment'))
    )
    with op.batch_alter_table('outbox_attachment', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_outbox_attachment_email_id'), ['email_id'], unique=False)


def downgrade():
    with op.batch_alter_table('outbox_attachment', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_outbox_attachment_email_id'))
    op.drop_table('outbox_attachment')
    with op.batch_alter_table('quote_signature', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_quote_signature_quote_id'))
    op.drop_table('quote_signature')
