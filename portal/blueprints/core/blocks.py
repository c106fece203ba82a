"""Dashboard blocks: which are shown to whom, and the core's own (the credit position)."""
from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from portal import settings
from portal.contract import Block
from portal.features import registry
from portal.models import Company
from portal.services.dashboard import summary_for


@dataclass(frozen=True)
class ShownBlock:
    block: Block
    data: Any


def shown_blocks(company: Company, can) -> list[ShownBlock]:
    """Blocks of the core and the enabled features, in declared order, that `can` (a permission
    check of the acting user) allows; each with its data for the company."""
    enabled = settings.enabled_features()
    return [ShownBlock(block, block.data(company) if block.data else None)
            for _, block in registry().blocks(enabled)
            if block.permission is None or can(block.permission)]


def credit_position(company: Company):
    """Credit limit and what is still available of it."""
    return summary_for(company)
