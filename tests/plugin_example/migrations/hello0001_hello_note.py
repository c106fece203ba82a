"""hello note table (the example plugin's own history, in alembic_version_hello)

Revision ID: hello0001
Revises:
"""
import sqlalchemy as sa
from alembic import op

revision = "hello0001"
down_revision = None
branch_labels = None
depends_on = None


def upgrade():
    op.create_table(
        "hello_note",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("number", sa.String(length=30), nullable=False),
        sa.Column("company_id", sa.Integer(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("created_dt", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["company_id"], ["company.id"], name=op.f("fk_hello_note_company_id_company"),
                                ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_hello_note")),
        sa.UniqueConstraint("number", name=op.f("uq_hello_note_number")),
    )
    op.create_index(op.f("ix_hello_note_company_id"), "hello_note", ["company_id"], unique=False)


def downgrade():
    op.drop_index(op.f("ix_hello_note_company_id"), table_name="hello_note")
    op.drop_table("hello_note")
