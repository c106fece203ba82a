"""Purchase lists (seed 001 "Saved lists"): a company's named lists of products with quantities and notes.

Who sees and changes a list:
- a private list is its owner's only: anyone else gets "not found", never "forbidden";
- a list shared "read" is seen by the company's users (with "lists.view"); only its owner changes it;
- a list shared "edit" may also be changed (lines: add, quantity, note, order, remove) by the company's
  users who may use lists ("lists.use");
- renaming, sharing and deleting are the owner's (or, for a list whose owner has left, anyone's who may
  change it).

Lines whose product the company may no longer see are never shown (the product page would be a 404);
they stay on the list and are reported by name when the list goes into the cart
(services.purchase_list_cart).
"""
from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from flask_babel import gettext as _
from sqlalchemy import Select, case, func, or_, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import joinedload

from portal.extensions import db
from portal.models import Company, ListSharing, Product, PurchaseList, PurchaseListItem, User
from portal.money import number
from portal.services import audit, cart, order_quantities
from portal.services.actor import Actor
from portal.services.errors import RuleError
from portal.services.visibility import Viewer, visible_clause

NAME_MAX = 120
NOTE_MAX = 255
#: at most this many lines on one list (a list is something a person reads)
MAX_LINES = 500

SHARING_LABELS = {
    ListSharing.private: "Private: only you",
    ListSharing.read: "Shared: your colleagues see it and add it to their cart",
    ListSharing.edit: "Shared: your colleagues may also change it",
}


class ListError(RuleError):
    """The change was refused; the message is shown to the person."""


class ListNotFound(LookupError):
    """No such list for this person: another company's, a colleague's private one, or none (views: 404)."""


class ListLocked(RuleError):
    """The person sees the list but may not change it (views: 403)."""


# --- which lists a person sees, and what they may do with one ---------------------------------------

def _seen_by(actor: Actor, company: Company):
    return (PurchaseList.company_id == company.id) & or_(
        PurchaseList.owner_id == actor.user_id, PurchaseList.sharing != ListSharing.private)


def seen_query(actor: Actor, company: Company) -> Select:
    return select(PurchaseList).where(_seen_by(actor, company))


@dataclass(frozen=True)
class Access:
    """What the person may do with one list (``may_use``: the role's "lists.use")."""

    plist: PurchaseList
    actor: Actor
    may_use: bool

    @property
    def is_owner(self) -> bool:
        return self.plist.owner_id is not None and self.plist.owner_id == self.actor.user_id

    @property
    def may_edit(self) -> bool:
        return self.may_use and (self.is_owner or self.plist.sharing == ListSharing.edit)

    @property
    def may_manage(self) -> bool:
        """Rename, share, delete: the owner's (anyone's who may edit it once the owner has gone)."""
        return self.may_use and (self.is_owner or (self.plist.owner_id is None and self.may_edit))

    def require_edit(self) -> None:
        if not self.may_edit:
            raise ListLocked("This list is shared with you to read: only its owner changes it.")

    def require_manage(self) -> None:
        if not self.may_manage:
            raise ListLocked("Only the owner of this list may rename, share or delete it.")


def get(actor: Actor, company: Company, list_id, *, may_use: bool) -> Access:
    """The list if the person may see it; ListNotFound otherwise."""
    try:
        list_id = int(list_id)
    except (TypeError, ValueError):
        raise ListNotFound(list_id) from None
    plist = db.session.execute(seen_query(actor, company).where(PurchaseList.id == list_id)
                               .options(joinedload(PurchaseList.owner))).scalar_one_or_none()
    if plist is None:
        raise ListNotFound(list_id)
    return Access(plist, actor, may_use)


@dataclass(frozen=True)
class ListSummary:
    plist: PurchaseList
    lines: int
    owner_name: str | None
    is_owner: bool


def summaries(actor: Actor, company: Company) -> list[ListSummary]:
    """The lists the person sees, own first, with how many of their lines the company may see (one query)."""
    counts = (select(PurchaseListItem.purchase_list_id, func.count(PurchaseListItem.id).label("n"))
              .join(PurchaseListItem.product).where(visible_clause(Viewer.of(company)))
              .group_by(PurchaseListItem.purchase_list_id).subquery())
    rows = db.session.execute(
        select(PurchaseList, func.coalesce(counts.c.n, 0), User.name)
        .outerjoin(counts, counts.c.purchase_list_id == PurchaseList.id)
        .outerjoin(User, User.id == PurchaseList.owner_id)
        .where(_seen_by(actor, company))
        .order_by(case((PurchaseList.owner_id == actor.user_id, 0), else_=1), func.lower(PurchaseList.name),
                  PurchaseList.id)
    ).all()
    return [ListSummary(plist, n, owner, plist.owner_id == actor.user_id) for plist, n, owner in rows]


def editable(actor: Actor, company: Company) -> list[PurchaseList]:
    """The lists the person may add products to (own ones and those shared for editing), by name."""
    return list(db.session.execute(
        select(PurchaseList).where(PurchaseList.company_id == company.id, or_(
            PurchaseList.owner_id == actor.user_id, PurchaseList.sharing == ListSharing.edit))
        .order_by(func.lower(PurchaseList.name), PurchaseList.id)).scalars())


# --- making and changing lists ------------------------------------------------------------------------

def _clean_name(name: str | None) -> str:
    name = " ".join((name or "").split())
    if not name:
        raise ListError(_("Give the list a name, e.g. the project it is for."), field="name")
    if len(name) > NAME_MAX:
        raise ListError(_("A list name has at most %(limit)s characters.", limit=NAME_MAX), field="name")
    return name


def parse_sharing(value) -> ListSharing:
    try:
        return ListSharing(value or ListSharing.private.value)
    except ValueError:
        raise ListError(_("Choose who may see the list."), field="sharing") from None


def create(actor: Actor, company: Company, name: str | None, sharing: ListSharing = ListSharing.private,
           ) -> PurchaseList:
    """A new list of the company, owned by the person acting."""
    plist = PurchaseList(company_id=company.id, owner_id=actor.user_id, name=_clean_name(name), sharing=sharing)
    db.session.add(plist)
    db.session.flush()
    audit.record("purchase_list.created", plist, company_id=company.id, actor=actor, name=plist.name,
                 sharing=sharing.value)
    return plist


def rename(access: Access, name: str | None) -> None:
    access.require_manage()
    plist = access.plist
    old, plist.name = plist.name, _clean_name(name)
    audit.record("purchase_list.renamed", plist, company_id=plist.company_id, actor=access.actor,
                 old=old, new=plist.name)


def set_sharing(access: Access, sharing: ListSharing) -> None:
    access.require_manage()
    plist = access.plist
    plist.sharing = sharing
    audit.record("purchase_list.shared", plist, company_id=plist.company_id, actor=access.actor,
                 sharing=sharing.value)


def delete(access: Access) -> None:
    access.require_manage()
    plist = access.plist
    audit.record("purchase_list.deleted", plist, company_id=plist.company_id, actor=access.actor, name=plist.name)
    db.session.delete(plist)


def target(actor: Actor, company: Company, list_id, new_name: str | None, *, may_use: bool) -> PurchaseList:
    """The list chosen in an "add to list" form: an existing one the person may change, or a new private one."""
    if not may_use:
        raise ListLocked("Your role does not allow making or changing purchase lists.")
    if list_id in (None, "", "new"):
        return create(actor, company, new_name)
    access = get(actor, company, list_id, may_use=may_use)
    access.require_edit()
    return access.plist


# --- lines --------------------------------------------------------------------------------------------

def _clean_note(note: str | None) -> str:
    note = " ".join((note or "").split())
    if len(note) > NOTE_MAX:
        raise ListError(_("A note has at most %(limit)s characters.", limit=NOTE_MAX), field="note")
    return note


@dataclass
class Added:
    """What an "add to list" did: lines added or increased, and what was left out (by name)."""

    plist: PurchaseList
    added: list[Product] = field(default_factory=list)
    left_out: list[str] = field(default_factory=list)


def add_products(actor: Actor, plist: PurchaseList, wanted: list[tuple[Product, Decimal]], note: str = "") -> Added:
    """Put products on the list; a product already on it gets the quantity added. The caller made sure the
    products are visible to the company. One query for the lines already there, whatever their number.

    Colleagues may add to a shared list at the same moment: a quantity is added in one UPDATE (never
    read, add, write: that would lose one of two adds), and two new lines for one product meet the
    unique constraint, which is a message to try again."""
    note = _clean_note(note)
    merged: dict[int, tuple[Product, Decimal]] = {}
    for product, quantity in wanted:
        merged[product.id] = (product, merged.get(product.id, (product, Decimal(0)))[1] + quantity)
    existing = {item.product_id: item for item in db.session.execute(
        select(PurchaseListItem).where(PurchaseListItem.purchase_list_id == plist.id)).scalars()}
    position = max((item.position for item in existing.values()), default=0)
    lines, result = len(existing), Added(plist)
    for product, quantity in merged.values():
        item = existing.get(product.id)
        if (item.quantity if item is not None else 0) + quantity > order_quantities.MAX_QUANTITY:
            raise ListError(_("%(product)s: at most %(most)s on one line.", product=product.name,
                              most=number(order_quantities.MAX_QUANTITY)))
        if item is not None:
            _add_quantity(item, quantity, note)
        elif lines >= MAX_LINES:
            result.left_out.append(f"{product.name}: the list is full ({MAX_LINES} lines).")
            continue
        else:
            position, lines = position + 1, lines + 1
            db.session.add(PurchaseListItem(purchase_list_id=plist.id, product_id=product.id, quantity=quantity,
                                            note=note, position=position))
        result.added.append(product)
    try:
        db.session.flush()
    except IntegrityError:  # the same product put on the list at the same moment (another tab, a colleague)
        db.session.rollback()
        raise ListError(_("The list was being changed elsewhere at the same moment. Try again.")) from None
    if result.added:
        audit.record("purchase_list.lines_added", plist, company_id=plist.company_id, actor=actor,
                     products=[p.sku for p in result.added])
    return result


def _add_quantity(item: PurchaseListItem, quantity: Decimal, note: str) -> None:
    values = {"quantity": PurchaseListItem.quantity + quantity}
    if note:
        values["note"] = case((PurchaseListItem.note == "", note), else_=PurchaseListItem.note)
    db.session.execute(update(PurchaseListItem).where(PurchaseListItem.id == item.id).values(**values)
                       .execution_options(synchronize_session=False))
    db.session.expire(item)


def add_product(actor: Actor, company: Company, plist: PurchaseList, product_id, quantity: Decimal,
                note: str = "") -> Added:
    """One product from its page (cart.NotVisible for a product the company may not see: a 404)."""
    product = cart.visible_product(company, product_id)
    return add_products(actor, plist, [(product, quantity)], note)


def _line(access: Access, item_id) -> PurchaseListItem:
    try:
        item_id = int(item_id)
    except (TypeError, ValueError):
        raise ListNotFound(item_id) from None
    item = db.session.execute(select(PurchaseListItem).where(
        PurchaseListItem.id == item_id, PurchaseListItem.purchase_list_id == access.plist.id)).scalar_one_or_none()
    if item is None:
        raise ListNotFound(item_id)
    return item


def update_lines(access: Access, changes: dict[int, tuple[Decimal, str | None]]) -> int:
    """Set the quantity and note of lines ({item id: (quantity, note)}); returns how many changed."""
    access.require_edit()
    items = db.session.execute(select(PurchaseListItem).where(
        PurchaseListItem.purchase_list_id == access.plist.id, PurchaseListItem.id.in_(changes))).scalars()
    changed = []
    for item in items:
        quantity, note = changes[item.id]
        note = _clean_note(note)
        if (item.quantity, item.note) != (quantity, note):
            item.quantity, item.note = quantity, note
            changed.append(item.product_id)
    if changed:
        audit.record("purchase_list.lines_changed", access.plist, company_id=access.plist.company_id,
                     actor=access.actor, product_ids=changed)
    return len(changed)


def remove_line(access: Access, item_id) -> None:
    access.require_edit()
    item = _line(access, item_id)
    audit.record("purchase_list.line_removed", access.plist, company_id=access.plist.company_id,
                 actor=access.actor, product_id=item.product_id)
    db.session.delete(item)


def move_line(access: Access, item_id, offset: int) -> None:
    """Move a line up (offset -1) or down (+1); positions are renumbered 1..n on the way."""
    access.require_edit()
    moving = _line(access, item_id)
    items = list(db.session.execute(select(PurchaseListItem).where(
        PurchaseListItem.purchase_list_id == access.plist.id)
        .order_by(PurchaseListItem.position, PurchaseListItem.id)).scalars())
    index = items.index(moving)
    other = index + (1 if offset > 0 else -1)
    if 0 <= other < len(items):
        items[index], items[other] = items[other], items[index]
    for position, item in enumerate(items, start=1):
        item.position = position
