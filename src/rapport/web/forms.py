"""Form plumbing shared by the workspace pages: Bootstrap classes and accessible error wiring."""

from __future__ import annotations

from typing import Any

from django import forms
from django.core.exceptions import ValidationError


class BootstrapForm(forms.Form):
    """Adds Bootstrap's classes; a field with an error gets ``is-invalid`` and points at its message."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxInput):
                css = "form-check-input"
            elif isinstance(widget, forms.Select | forms.SelectMultiple):
                css = "form-select"
            else:
                css = "form-control"
            widget.attrs["class"] = f"{widget.attrs.get('class', '')} {css}".strip()

    def full_clean(self) -> None:
        super().full_clean()
        for name in self.errors:
            if name in self.fields:
                attrs = self.fields[name].widget.attrs
                attrs["class"] = f"{attrs.get('class', '')} is-invalid".strip()
                attrs["aria-invalid"] = "true"
                attrs["aria-describedby"] = f"id_{self.prefix + '-' if self.prefix else ''}{name}_error"

    def add_service_errors(self, error: ValidationError) -> None:
        """Put a service's ValidationError next to the fields it names (or on top when it names none)."""
        if hasattr(error, "error_dict"):
            for field, errors in error.message_dict.items():
                for message in errors:
                    self.add_error(field if field in self.fields else None, message)
        else:
            for message in error.messages:
                self.add_error(None, message)
