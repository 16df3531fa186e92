"""Template filters for the workspace: money in the reader's locale, counts capped for huge tables."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from babel.numbers import format_currency, format_decimal
from django import template
from django.utils import translation

register = template.Library()

# Babel and Django spell some locales differently.
_BABEL_LOCALE = {"en": "en", "ms": "ms_MY", "id": "id_ID", "pl": "pl_PL", "fa": "fa_IR", "he": "he_IL"}


def babel_locale() -> str:
    language = (translation.get_language() or "en").split("-")[0]
    return _BABEL_LOCALE.get(language, "en")


@register.filter
def money(amount: Any, currency: str = "") -> str:
    """``{{ order.total|money:order.currency }}``: 1 234,50 zł, RM1,234.50, ‏1,234.50 ₪ as the reader expects."""
    if amount is None or amount == "":
        return ""
    try:
        value = Decimal(str(amount))
    except (InvalidOperation, ValueError):
        return str(amount)
    if not currency:
        return format_decimal(value, locale=babel_locale())
    return format_currency(value, currency, locale=babel_locale())


@register.filter
def number(value: Any) -> str:
    try:
        return format_decimal(Decimal(str(value)), locale=babel_locale())
    except (InvalidOperation, ValueError):
        return str(value)


@register.filter
def capped(count: int | None, cap: int = 10_000) -> str:
    """A count that may have stopped at ``cap``: shown as "10,000+" rather than an exact figure."""
    if count is None:
        return ""
    text = number(min(count, cap))
    return f"{text}+" if count >= cap else text
