"""Factories: make.company(), make.contact(company, role="Buyer"), ... each commits and returns the object."""
from __future__ import annotations

import itertools
from datetime import timedelta
from decimal import Decimal

from sqlalchemy import select

from portal.models import (
    Address,
    Category,
    Company,
    CreditNote,
    CreditNoteLine,
    CreditNoteStatus,
    Invoice,
    InvoiceLine,
    InvoiceStatus,
    ListSharing,
    Membership,
    OrderStatus,
    Payment,
    PaymentMethod,
    PriceTier,
    Product,
    ProductPrice,
    PurchaseList,
    PurchaseListItem,
    PurchaseOrder,
    PurchaseOrderLine,
    Quote,
    QuoteLine,
    QuoteMessage,
    QuoteSection,
    QuoteStatus,
    RepAccess,
    Role,
    SalesOrder,
    SalesOrderLine,
    Shipment,
    ShipmentEvent,
    ShipmentStatus,
    StockLevel,
    SupplierBill,
    Ticket,
    TicketMessage,
    User,
    UserKind,
)
from portal.services import clock, credit_notes
from portal.services.numbering import next_number

PASSWORD = "correct horse battery"
_seq = itertools.count(1)


class Factories:
    def __init__(self, db):
        self.db = db

    def _save(self, obj):
        self.db.session.add(obj)
        self.db.session.commit()
        return obj

    def role(self, name: str) -> Role:
        return self.db.session.execute(select(Role).filter_by(name=name)).scalar_one()

    def company(self, name: str | None = None, portal_access: bool = True, **kw) -> Company:
        n = next(_seq)
        kw.setdefault("credit_limit", Decimal("10000.00"))
        return self._save(Company(code=kw.pop("code", f"C-{n:04d}"), name=name or f"Company {n}",
                                  portal_access=portal_access, **kw))

    def supplier(self, name: str | None = None, **kw) -> Company:
        return self.company(name=name or f"Supplier {next(_seq)}", is_customer=False, is_supplier=True, **kw)

    def user(self, kind=UserKind.contact, email: str | None = None, password: str = PASSWORD, **kw) -> User:
        n = next(_seq)
        user = User(email=email or f"user{n}@example.com", name=kw.pop("name", f"User {n}"), kind=kind, **kw)
        if password:
            user.set_password(password)
        return self._save(user)

    def contact(self, company: Company | None = None, role: str = "Buyer", **kw) -> User:
        company = company or self.company()
        kw.setdefault("portal_access", True)
        user = self.user(UserKind.contact, **kw)
        self.membership(user, company, role)
        return user

    def membership(self, user: User, company: Company, role: str = "Buyer") -> Membership:
        return self._save(Membership(user_id=user.id, company_id=company.id, role_id=self.role(role).id))

    def staff(self, **kw) -> User:
        return self.user(UserKind.staff, **kw)

    def rep(self, allocated: list[Company] = (), access: RepAccess = RepAccess.allocated, **kw) -> User:
        rep = self.user(UserKind.rep, rep_access=access, **kw)
        rep.allocated_companies.extend(allocated)
        self.db.session.commit()
        return rep

    def tier(self, code: str = "STD", name: str = "Standard", **kw) -> PriceTier:
        existing = self.db.session.execute(select(PriceTier).filter_by(code=code)).scalar_one_or_none()
        return existing or self._save(PriceTier(code=code, name=name, **kw))

    def product(self, price: str = "10.00", on_hand: str = "100", tier: PriceTier | None = None, **kw) -> Product:
        n = next(_seq)
        category = kw.pop("category", None)
        product = Product(sku=kw.pop("sku", f"SKU-{n:05d}"), name=kw.pop("name", f"Product {n}"),
                          category=category, **kw)
        tier = tier or self.tier()
        product.prices.append(ProductPrice(tier=tier, price=Decimal(price), currency="EUR"))
        product.stock = StockLevel(on_hand=Decimal(on_hand))
        return self._save(product)

    def product_price(self, product: Product, tier: PriceTier, price: str) -> ProductPrice:
        return self._save(ProductPrice(product_id=product.id, tier_id=tier.id, price=Decimal(price), currency="EUR"))

    def category(self, name: str = "Tools") -> Category:
        return self._save(Category(name=name, slug=f"{name.lower()}-{next(_seq)}"))

    def address(self, company: Company, **kw) -> Address:
        kw.setdefault("line1", "Main Street 1")
        kw.setdefault("city", "Utrecht")
        kw.setdefault("postcode", "3511 AA")
        return self._save(Address(company_id=company.id, **kw))

    def order(self, company: Company, total: str = "121.00", status=OrderStatus.submitted, **kw) -> SalesOrder:
        order = SalesOrder(number=next_number("sales_order"), company_id=company.id, status=status,
                           subtotal=Decimal(total) / Decimal("1.21"), tax_total=Decimal(total) - Decimal(total) / Decimal("1.21"),
                           total=Decimal(total), currency=company.currency, **kw)
        order.lines.append(SalesOrderLine(description="Widget", quantity=Decimal(1),
                                          unit_price=order.subtotal, line_total=order.subtotal))
        return self._save(order)

    def invoice(self, company: Company, total: str = "121.00", status=InvoiceStatus.open,
                due_in_days: int = 30, **kw) -> Invoice:
        invoice = Invoice(number=next_number("invoice"), company_id=company.id, status=status,
                          total=Decimal(total), subtotal=Decimal(total),
                          currency=kw.pop("currency", company.currency), issue_date=kw.pop("issue_date", clock.today()),
                          due_date=clock.today() + timedelta(days=due_in_days), **kw)
        invoice.lines.append(InvoiceLine(description="Widget", quantity=Decimal(1), unit_price=Decimal(total),
                                         line_total=Decimal(total)))
        return self._save(invoice)

    def quote(self, company: Company, status=QuoteStatus.sent, **kw) -> Quote:
        quote = Quote(number=next_number("quote"), company_id=company.id, status=status,
                      title=kw.pop("title", "Quotation"), total=Decimal("100.00"), **kw)
        quote.lines.append(QuoteLine(description="Service", quantity=Decimal(1), unit_price=Decimal("100.00"),
                                     line_total=Decimal("100.00")))
        return self._save(quote)

    def shipment(self, company: Company, order: SalesOrder | None = None, **kw) -> Shipment:
        return self._save(Shipment(number=next_number("shipment"), company_id=company.id,
                                   order_id=order.id if order else None,
                                   status=kw.pop("status", ShipmentStatus.shipped), carrier="DHL",
                                   tracking_number=kw.pop("tracking_number", "JD0001"), **kw))

    def ticket(self, company: Company, opened_by: User | None = None, body: str = "Two boxes were crushed.",
               **kw) -> Ticket:
        ticket = Ticket(company_id=company.id, opened_by_id=opened_by.id if opened_by else None,
                        subject=kw.pop("subject", "Pallet arrived damaged"), category=kw.pop("category", "order"),
                        **kw)
        ticket.messages.append(TicketMessage(author_id=opened_by.id if opened_by else None, body=body))
        return self._save(ticket)

    def purchase_list(self, company: Company, owner: User | None = None, sharing=ListSharing.read,
                      lines: tuple = (), **kw) -> PurchaseList:
        """A list of the company; lines are (product, quantity) or (product, quantity, note), in order."""
        plist = PurchaseList(company_id=company.id, owner_id=owner.id if owner else None, sharing=sharing,
                             name=kw.pop("name", f"Project list {next(_seq)}"), **kw)
        for position, (product, quantity, *note) in enumerate(lines, start=1):
            plist.items.append(PurchaseListItem(product_id=product.id, quantity=Decimal(quantity),
                                                note=note[0] if note else "", position=position))
        return self._save(plist)

    def purchase_order(self, supplier: Company, **kw) -> PurchaseOrder:
        return self._save(PurchaseOrder(number=next_number("purchase_order"), company_id=supplier.id,
                                        total=Decimal("500.00"), **kw))

    def supplier_bill(self, supplier: Company, **kw) -> SupplierBill:
        return self._save(SupplierBill(number=next_number("supplier_bill"), company_id=supplier.id,
                                       supplier_reference=kw.pop("supplier_reference", "S-INV-1"),
                                       total=Decimal("500.00"), **kw))

    def payment(self, company: Company, invoice: Invoice | None = None, amount: str = "50.00",
                method=PaymentMethod.bank_transfer, **kw) -> Payment:
        """A receipt; it does not touch the invoice's amount_paid (set that yourself when it matters)."""
        return self._save(Payment(number=next_number("payment"), company_id=company.id,
                                  invoice_id=invoice.id if invoice else None, amount=Decimal(amount),
                                  currency=kw.pop("currency", invoice.currency if invoice else company.currency),
                                  method=method, **kw))

    def credit_note(self, company: Company, invoice: Invoice | None = None, total: str = "24.20",
                    status=CreditNoteStatus.issued, **kw) -> CreditNote:
        """Issued (or applied) against an invoice, it credits the invoice as the back office does."""
        description = kw.pop("description", "Credit for damaged widget")
        note = CreditNote(number=next_number("credit_note"), company_id=company.id, invoice=invoice, status=status,
                          reason=kw.pop("reason", "Damaged in transit"), subtotal=Decimal(total),
                          total=Decimal(total), currency=kw.pop("currency", company.currency), **kw)
        note.lines.append(CreditNoteLine(description=description,
                                         quantity=Decimal(1), unit_price=Decimal(total), line_total=Decimal(total)))
        credit_notes.issue(note)
        return self._save(note)

    def shipment_event(self, shipment: Shipment, status: str = "In transit", **kw) -> ShipmentEvent:
        return self._save(ShipmentEvent(shipment_id=shipment.id, status=status, **kw))

    def quote_section(self, quote: Quote, title: str, lines: tuple[tuple[str, str], ...] = (),
                      position: int = 0) -> QuoteSection:
        """A section with lines given as (description, unit price), quantity 1."""
        section = QuoteSection(quote_id=quote.id, title=title, position=position)
        self.db.session.add(section)
        self.db.session.flush()
        for i, (description, price) in enumerate(lines):
            self.db.session.add(QuoteLine(quote_id=quote.id, section_id=section.id, position=position * 100 + i,
                                          description=description, quantity=Decimal(1),
                                          unit_price=Decimal(price), line_total=Decimal(price)))
        return self._save(section)

    def quote_message(self, quote: Quote, body: str, author: User | None = None, from_staff: bool = False,
                      **kw) -> QuoteMessage:
        return self._save(QuoteMessage(quote_id=quote.id, body=body, author_id=author.id if author else None,
                                       from_staff=from_staff, **kw))

    def purchase_order_line(self, order: PurchaseOrder, description: str = "Steel rod 8mm", quantity: str = "10",
                            unit_price: str = "5.00") -> PurchaseOrderLine:
        return self._save(PurchaseOrderLine(purchase_order_id=order.id, description=description,
                                            quantity=Decimal(quantity), unit_price=Decimal(unit_price),
                                            line_total=Decimal(quantity) * Decimal(unit_price)))
