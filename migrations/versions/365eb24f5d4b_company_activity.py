"""company_activity: each company's latest portal activity, last sign-in and last order; portal_event
indexed by (company_id, created_dt, kind) and created_dt for the Customer activity page

Revision ID: 365eb24f5d4b
Revises: 78486e76c7ce
Create Date: 2026-12-01 05:40:00

"""
import sqlalchemy as sa
from alembic import op

# revision identifiers, used by Alembic.
revision = '365eb24f5d4b'
down_revision = '78486e76c7ce'
branch_labels = None
depends_on = None

#: the kinds staff record on a customer's documents at this revision: not the customer's activity
STAFF_KINDS = ("quote_revised", "return_approved", "return_rejected", "return_received", "return_credited")
WHEN = sa.DateTime(timezone=True)


def upgrade():
    activity = op.create_table(
        'company_activity',
        sa.Column('company_id', sa.Integer(), nullable=False),
        sa.Column('last_event_dt', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_event_kind', sa.String(length=40), nullable=True),
        sa.Column('last_sign_in_dt', sa.DateTime(timezone=True), nullable=True),
        sa.Column('last_order_dt', sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(['company_id'], ['company.id'], name=op.f('fk_company_activity_company_id_company'),
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('company_id', name=op.f('pk_company_activity')),
    )
    with op.batch_alter_table('company_activity', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_company_activity_last_event_dt'), ['last_event_dt'], unique=False)
    with op.batch_alter_table('portal_event', schema=None) as batch_op:
        batch_op.create_index('ix_portal_event_company_created_kind', ['company_id', 'created_dt', 'kind'],
                                unique=False)
        batch_op.create_index('ix_portal_event_created_dt', ['created_dt'], unique=False)
        batch_op.drop_index('ix_portal_event_company_id')
    _backfill(activity)


def _rows(sql: str, **params) -> list:
    query = sa.text(sql).bindparams(**params) if params else sa.text(sql)
    return op.get_bind().execute(query.columns(company_id=sa.Integer, at=WHEN)).all()


def _backfill(activity) -> None:
    """From what is already there: the customer's events, contacts' last sign-ins, orders placed in the portal."""
    staff = sa.bindparam("staff", expanding=True)
    events = op.get_bind().execute(
        sa.text("SELECT e.company_id, e.kind, e.created_dt AS at FROM portal_event e WHERE e.company_id IS NOT NULL "
                "AND e.kind NOT IN :staff AND e.id = (SELECT MAX(l.id) FROM portal_event l WHERE "
                "l.company_id = e.company_id AND l.kind NOT IN :staff AND l.created_dt = (SELECT MAX(m.created_dt) "
                "FROM portal_event m WHERE m.company_id = e.company_id AND m.kind NOT IN :staff))")
        .bindparams(staff, staff=list(STAFF_KINDS)).columns(company_id=sa.Integer, kind=sa.String, at=WHEN)).all()
    sign_ins = _rows("SELECT m.company_id, MAX(u.last_login_dt) AS at FROM membership m JOIN \"user\" u "
                     "ON u.id = m.user_id WHERE u.last_login_dt IS NOT NULL GROUP BY m.company_id")
    orders = _rows("SELECT company_id, MAX(placed_dt) AS at FROM sales_order WHERE placed_by_id IS NOT NULL "
                   "GROUP BY company_id")
    found: dict[int, dict] = {}
    for company_id, kind, at in events:
        found.setdefault(company_id, {})["event"] = (at, kind)
    for name, rows in (("sign_in", sign_ins), ("order", orders)):
        for company_id, at in rows:
            found.setdefault(company_id, {})[name] = at
    kept = []
    for company_id, seen in found.items():
        latest = [(at, kind) for at, kind in (seen.get("event"), (seen.get("sign_in"), "signed_in"),
                                              (seen.get("order"), "order_placed")) if at is not None]
        at, kind = max(latest, key=lambda pair: pair[0]) if latest else (None, None)
        kept.append({"company_id": company_id, "last_event_dt": at, "last_event_kind": kind,
                     "last_sign_in_dt": seen.get("sign_in"), "last_order_dt": seen.get("order")})
    if kept:
        op.bulk_insert(activity, kept)


def downgrade():
    with op.batch_alter_table('portal_event', schema=None) as batch_op:
        batch_op.create_index('ix_portal_event_company_id', ['company_id'], unique=False)
        batch_op.drop_index('ix_portal_event_created_dt')
        batch_op.drop_index('ix_portal_event_company_created_kind')
    with op.batch_alter_table('company_activity', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_company_activity_last_event_dt'))
    op.drop_table('company_activity')
