"""The catalog's category menu: the top categories, and below them only the way to the current one.

Written in Python rather than a recursive Jinja macro (a dozen calls per category), and kept with the
category tree it shows: a tree is built once per catalog revision and viewer class and never changed
(``catalog_tree``), so its menu for one current category and one address prefix is the same every time.
Every value written is escaped.
"""
from __future__ import annotations

from collections.abc import Callable

from markupsafe import Markup, escape

from portal.services.catalog_tree import CategoryNode, CategoryTree


def category_menu(tree: CategoryTree, current: CategoryNode | None, category_url: Callable[[int], str]) -> Markup:
    """The menu's markup; `category_url` gives a category's address (the same for every request of an
    application root, which is part of the kept menu's key)."""
    key = (current.id if current else None, category_url(0))
    kept = tree.menus.get(key)
    if kept is None:
        open_ids = {node.id for node in tree.lineage(current.id)} if current else set()
        kept = tree.menus[key] = Markup(_list(tree, tree.roots, 1, current, open_ids, category_url))
    return kept


def _list(tree, nodes, level, current, open_ids, category_url) -> str:
    items = []
    for node in tree.shown(nodes):
        here = ' aria-current="page"' if current is not None and current.id == node.id else ""
        below = ""
        if node.id in open_ids and tree.shown(node.children):
            below = "\n" + _list(tree, node.children, level + 1, current, open_ids, category_url)
        items.append(f'<li>\n<a href="{escape(category_url(node.id))}"{here}>{escape(node.name)} '
                     f'<span class="count">({node.count})</span></a>{below}\n</li>')
    return f'<ul class="category-list level-{level}">\n' + "\n".join(items) + "\n</ul>"
