"""Errors a service raises when a person's input breaks a business rule."""

from __future__ import annotations


class ServiceError(Exception):
    """A rule was broken; `field` names the form field the message belongs next to."""

    def __init__(self, message: str, field: str | None = None):
        super().__init__(str(message))
        self.message = message
        self.field = field


class PermissionDenied(Exception):
    """The acting user may not do this to this object."""


def attach_to_form(form, error: ServiceError) -> bool:
    """Show a service error next to its field (or at the top of the form). Returns False."""
    field = getattr(form, error.field, None) if error.field else None
    if field is not None:
        field.errors = [*field.errors, error.message]
    else:
        form.form_errors.append(error.message)
    return False
