"""The refusal every business rule raises: a sentence for a person, and the form field it is about."""
from __future__ import annotations


class RuleError(ValueError):
    """A rule refused the change; nothing was changed. Views show the message beside `field`."""

    default_field: str | None = None

    def __init__(self, message: str, field: str | None = None):
        super().__init__(message)
        self.field = field if field is not None else self.default_field


class CompanyUsersError(RuleError):
    """A customer admin's change to their company's users was refused; the message is shown to them."""
