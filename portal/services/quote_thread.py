"""A quote's conversation as both sides read it: each message with the name to show."""
from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select

from portal.extensions import db
from portal.models import Quote, User


@dataclass(frozen=True)
class Message:
    author: str
    from_staff: bool
    body: str
    created_dt: datetime


def conversation(quote: Quote, business_name: str) -> list[Message]:
    """The change-request conversation, oldest first, each message with a name to show."""
    messages = sorted(quote.messages, key=lambda m: (m.created_dt, m.id))
    ids = {m.author_id for m in messages if m.author_id}
    names = dict(db.session.execute(select(User.id, User.name).where(User.id.in_(ids))).all()) if ids else {}
    result = []
    for m in messages:
        name = names.get(m.author_id) or m.author_name or ""
        if m.from_staff:
            name = f"{name} ({business_name})" if name else business_name
        result.append(Message(name or "Customer", m.from_staff, m.body, m.created_dt))
    return result
