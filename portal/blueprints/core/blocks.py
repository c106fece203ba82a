"""Dashboard blocks: which are shown to whom, and the core's own (the credit position)."""
from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from portal import settings
from portal.contract import Block
from portal.features import registry
from portal.models import Company
from portal.services import credit_limit


@dataclass(frozen=True)
class ShownBlock:
    block: Block
    data: Any


def shown_blocks(company: Company, can) -> list[ShownBlock]:
    """Blocks of the core and the enabled features that serve the company (customer blocks for a
    customer, supplier blocks for a supplier), in declared order, that `can` (a permission check of
    the acting user) allows; each with its data for the company."""
    enabled = settings.enabled_features()
    return [ShownBlock(block, block.data(company) if block.data else None)
            for feature, block in registry().blocks(enabled)
            if feature.serves(company) and (block.permission is None or can(block.permission))]


@dataclass(frozen=True)
class CreditPosition:
    limit: Decimal
    available: Decimal


def credit_position(company: Company) -> CreditPosition:
    """Credit limit and what is still available of it."""
    return CreditPosition(company.credit_limit or Decimal(0), credit_limit.available_credit(company))
