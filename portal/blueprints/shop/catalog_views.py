"""Catalog pages: the product list (categories, search, filters, sort, paging), a product, its pictures."""
from __future__ import annotations

from functools import partial

from flask import abort, render_template, request, url_for

from portal import settings
from portal.blueprints.shop import bp, card_tags
from portal.blueprints.shop.browsing import catalog_access, current_shopper
from portal.blueprints.shop.category_menu import category_menu
from portal.services import catalog, clock, product_images
from portal.services.pricing import PriceBook, load_price_book
from portal.services.stock_display import note_for


def _catalog_query(shopper) -> catalog.CatalogQuery:
    args = request.args
    search = args.get("q", "").strip()[:100]
    sorts = catalog.offered_sorts(shopper.sees_prices)
    sort = args.get("sort") if args.get("sort") in sorts else next(iter(sorts))
    per_page = args.get("per_page", type=int)
    return catalog.CatalogQuery(
        search=search, category_id=args.get("category", type=int), in_stock=args.get("in_stock") == "1",
        sort=sort, page=max(args.get("page", 1, type=int) or 1, 1),
        per_page=per_page if per_page in catalog.PAGE_SIZES else catalog.PAGE_SIZES[0])


def _prices(shopper, products, tree) -> PriceBook | None:
    if not shopper.sees_prices:
        return None
    return load_price_book(shopper.buyer, [(p.id, p.category_id) for p in products], clock.today(), tree.parents)


def _stock_notes():
    """``note_for`` with the stock settings read once for the page's cards."""
    return partial(note_for, mode=settings.get("stock.display"), show_incoming=settings.get("stock.show_incoming"))


def _url_by_id(endpoint: str, name: str):
    """``url_for(endpoint, name=id)`` for the many ids of a page, built once (a build costs more than
    the rest of a product card's link)."""
    marker = "987654321"
    head, _, tail = url_for(endpoint, **{name: int(marker)}).partition(marker)
    return lambda id_: f"{head}{int(id_)}{tail}"


@bp.get("/")
@catalog_access
def index():
    shopper = current_shopper()
    tree = catalog.category_tree(shopper.viewer)
    query = _catalog_query(shopper)
    if query.category_id is not None and query.category_id not in tree.nodes:
        abort(404)
    page = catalog.find_products(shopper.viewer, query, tree, shopper.buyer.tier_id, shopper.sees_prices)
    book = _prices(shopper, [row.product for row in page.rows], tree)
    sorts = catalog.offered_sorts(shopper.sees_prices)
    cards = partial(card_tags.product_cards, shopper=shopper, book=book, stock_note=_stock_notes(),
                    product_url=_url_by_id("shop.product", "product_id"), image_url=_url_by_id("shop.image", "image_id"))
    current = tree.nodes.get(query.category_id) if query.category_id else None
    return render_template("shop/index.html", shopper=shopper, tree=tree, query=query, page=page, sorts=sorts,
                           page_sizes=catalog.PAGE_SIZES, product_cards=cards, current=current,
                           category_menu=category_menu(tree, current, _url_by_id("shop.index", "category")))


@bp.get("/product/<int:product_id>")
@catalog_access
def product(product_id: int):
    shopper = current_shopper()
    item = catalog.product_for(shopper.viewer, product_id)
    if item is None:
        abort(404)
    tree = catalog.category_tree(shopper.viewer, counted=False)
    book = _prices(shopper, [item], tree)
    return render_template("shop/product.html", shopper=shopper, product=item, book=book, stock_note=note_for,
                           price_tag=card_tags.price_tag, stock_tag=card_tags.stock_tag,
                           price=book.price(item.id, item.min_order_qty) if book else None,
                           breaks=book.price_breaks(item.id) if book else [],
                           breadcrumb=tree.lineage(item.category_id))


@bp.get("/image/<int:image_id>")
@catalog_access
def image(image_id: int):
    found = catalog.image_for(current_shopper().viewer, image_id)
    if found is None:
        abort(404)
    return product_images.serve(found)
