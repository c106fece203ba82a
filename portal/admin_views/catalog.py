"""Catalog: categories, products with their prices and stock, tiers, breaks, contract prices, promotions."""
# ruff: noqa: RUF012  (Flask-Admin views are configured with class-level dicts and lists)
from __future__ import annotations

from decimal import Decimal

from flask_admin.contrib.sqla.form import InlineOneToOneModelConverter
from markupsafe import Markup, escape
from sqlalchemy import update
from sqlalchemy.orm import selectinload
from wtforms import FileField, StringField
from wtforms.validators import Length

from portal.admin_views.base import StaffInline, StaffModelView, field_error
from portal.admin_views.companies import CURRENCY_ARGS
from portal.admin_views.filters import company_filter
from portal.extensions import db
from portal.models import (
    Category,
    ContractPrice,
    PriceBreak,
    PriceTier,
    Product,
    ProductImage,
    ProductPrice,
    Promotion,
    StockLevel,
)
from portal.models.base import utcnow
from portal.services import product_images
from portal.web import money, quantity

CATALOG = "Catalog"
PRICE_COLUMNS = ("id", "tier", "price", "currency")
STOCK_COLUMNS = ("on_hand", "reserved", "incoming", "incoming_date", "low_stock_threshold")


class StockInline(StaffInline):
    inline_converter = InlineOneToOneModelConverter


def _check_period(form, start: str, end: str, model) -> None:
    first, last = getattr(model, start), getattr(model, end)
    if first and last and last < first:
        field_error(form, end, "The end date must be on or after the start date.")


class CategoryAdmin(StaffModelView):
    column_list = ("name", "slug", "parent", "position")
    column_searchable_list = ("name", "slug")
    column_filters = ("parent",)
    column_default_sort = [("position", False), ("name", False)]
    form_columns = ("name", "slug", "parent", "position")
    form_args = {"slug": {"description": "Lower-case letters, digits and dashes; used in portal links."}}

    def on_model_change(self, form, model, is_created):
        if model.parent is not None and model.parent.id is not None and model.parent.id == model.id:
            field_error(form, "parent", "A category cannot be its own parent.")
        super().on_model_change(form, model, is_created)


def _default_price(view, context, product, name):
    """The product's price in the default tier (what a customer without a tier of their own pays)."""
    price = next((p for p in product.prices if p.tier.is_default), None)
    return money(price.price, price.currency) if price is not None else Markup('<span class="text-muted">no price</span>')


def _stock(view, context, product, name):
    stock = product.stock
    if stock is None:
        return Markup('<span class="text-muted">not tracked</span>')
    available = stock.available
    text = f"{quantity(available)} available"
    if stock.reserved:
        text += f" ({quantity(stock.on_hand)} on hand)"
    if available <= (stock.low_stock_threshold or Decimal(0)):
        return Markup(f'{escape(text)} <span class="badge badge-warning">low</span>')
    return text


class ProductAdmin(StaffModelView):
    column_list = ("sku", "name", "category", "unit", "price", "stock", "visibility", "guest_visible", "tax_rate",
                   "created_dt")
    column_formatters = {"price": _default_price, "stock": _stock}
    column_descriptions = {"price": "In the default price tier; other tiers and contract prices on the product.",
                           "stock": "On hand minus reserved for open orders."}
    column_searchable_list = ("sku", "name", "description")
    column_filters = ("category", "visibility", "guest_visible", "unit", "created_dt")
    column_sortable_list = ("sku", "name", "unit", "tax_rate", "created_dt")
    column_labels = {"sku": "SKU", "visibility": "Who sees it in the portal", "guest_visible": "Guests may see it",
                     "min_order_qty": "Minimum order quantity", "order_increment": "Order in steps of",
                     "visible_to_tiers": "Visible to price tiers", "visible_to_companies": "Visible to companies",
                     "tax_rate": "Tax %"}
    column_descriptions = {**column_descriptions,
                           "visibility": "All customers, nobody (hidden), or only the tiers and companies chosen "
                                         "below (restricted)."}
    form_columns = ("sku", "name", "description", "category", "unit", "pack_size", "min_order_qty", "order_increment",
                    "visibility", "visible_to_tiers", "visible_to_companies", "guest_visible", "tax_rate",
                    "new_picture", "new_picture_alt")
    form_extra_fields = {
        "new_picture": FileField("Add a picture", description="PNG, JPEG, GIF or WebP, at most 5 MB. Shown on the "
                                                              "catalog pages in the order of the pictures below."),
        "new_picture_alt": StringField("Picture description", validators=[Length(max=200)],
                                       description="What the picture shows, for people who cannot see it "
                                                   "(default: the product name)."),
    }
    form_args = {"sku": {"filters": [lambda v: v.strip() if isinstance(v, str) else v]}}
    inline_models = (
        StaffInline(ProductPrice, form_columns=PRICE_COLUMNS, form_label="Prices",
                    form_args={"currency": CURRENCY_ARGS}),
        StockInline(StockLevel, form_columns=STOCK_COLUMNS, form_label="Stock"),
        StaffInline(ProductImage, form_columns=("id", "alt_text", "position"), form_label="Pictures",
                    form_args={"alt_text": {"label": "Description"}}),
    )

    def on_model_change(self, form, model, is_created):
        upload = form.new_picture.data
        if upload is not None and getattr(upload, "filename", ""):
            try:
                product_images.add(model, upload, form.new_picture_alt.data or "")
            except ValueError as exc:
                field_error(form, "new_picture", str(exc))
        super().on_model_change(form, model, is_created)

    def get_query(self):
        # prices (with their tier) and stock for the whole page in two extra queries
        return super().get_query().options(selectinload(Product.prices).joinedload(ProductPrice.tier),
                                           selectinload(Product.stock))


class PriceTierAdmin(StaffModelView):
    column_list = ("code", "name", "is_default")
    column_searchable_list = ("code", "name")
    column_default_sort = ("name", False)
    column_labels = {"is_default": "Default tier"}
    column_descriptions = {"is_default": "Used for customers without a tier of their own."}
    form_columns = ("code", "name", "is_default")

    def on_model_change(self, form, model, is_created):
        if model.is_default:  # one default tier
            db.session.execute(update(PriceTier).where(PriceTier.id != model.id).values(is_default=False))
        super().on_model_change(form, model, is_created)


class ProductPriceAdmin(StaffModelView):
    column_list = ("product", "tier", "price")
    column_searchable_list = ("product.sku", "product.name")
    column_filters = ("tier", "currency")
    form_columns = ("product", "tier", "price", "currency")
    form_args = {"currency": CURRENCY_ARGS}


class PriceBreakAdmin(StaffModelView):
    column_list = ("product", "tier", "min_qty", "price")
    column_searchable_list = ("product.sku", "product.name")
    column_filters = ("tier", "currency")
    column_labels = {"min_qty": "From quantity", "tier": "Tier (empty: all tiers)"}
    form_columns = ("product", "tier", "min_qty", "price", "currency")
    form_args = {"currency": CURRENCY_ARGS}


class ContractPriceAdmin(StaffModelView):
    column_list = ("company", "product", "price", "valid_from", "valid_until")
    column_searchable_list = ("product.sku", "product.name", "company.name")
    column_filters = (company_filter(ContractPrice.company_id), "valid_from", "valid_until", "currency")
    form_columns = ("company", "product", "price", "currency", "valid_from", "valid_until")
    form_args = {"currency": CURRENCY_ARGS}

    def on_model_change(self, form, model, is_created):
        _check_period(form, "valid_from", "valid_until", model)
        super().on_model_change(form, model, is_created)


class PromotionAdmin(StaffModelView):
    column_list = ("name", "product", "category", "discount_percent", "starts_on", "ends_on", "is_active")
    column_searchable_list = ("name",)
    column_filters = ("is_active", "starts_on", "ends_on", "category")
    column_labels = {"discount_percent": "Discount %"}
    column_descriptions = {"product": "Leave product and category empty to discount everything."}
    form_columns = ("name", "product", "category", "discount_percent", "starts_on", "ends_on", "is_active")

    def on_model_change(self, form, model, is_created):
        _check_period(form, "starts_on", "ends_on", model)
        super().on_model_change(form, model, is_created)


def _quantity(view, context, model, name):
    return quantity(getattr(model, name))


class StockLevelAdmin(StaffModelView):
    column_list = ("product", "on_hand", "reserved", "available", "incoming", "incoming_date", "low_stock_threshold",
                   "updated_dt")
    column_searchable_list = ("product.sku", "product.name")
    column_filters = ("incoming_date", "updated_dt")
    column_formatters = dict.fromkeys(("on_hand", "reserved", "available", "incoming", "low_stock_threshold"), _quantity)
    column_labels = {"low_stock_threshold": "Low below", "updated_dt": "Updated"}
    form_columns = ("product",) + STOCK_COLUMNS

    def on_model_change(self, form, model, is_created):
        model.updated_dt = utcnow()
        super().on_model_change(form, model, is_created)


def views():
    return [
        CategoryAdmin(Category, "Categories", CATALOG),
        ProductAdmin(Product, "Products", CATALOG),
        PriceTierAdmin(PriceTier, "Price tiers", CATALOG),
        ProductPriceAdmin(ProductPrice, "Product prices", CATALOG),
        PriceBreakAdmin(PriceBreak, "Quantity breaks", CATALOG),
        ContractPriceAdmin(ContractPrice, "Contract prices", CATALOG),
        PromotionAdmin(Promotion, "Promotions", CATALOG),
        StockLevelAdmin(StockLevel, "Stock", CATALOG),
    ]
