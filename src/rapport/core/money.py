"""Money is a Decimal amount beside an ISO 4217 currency code; never a float."""

from __future__ import annotations

from decimal import ROUND_HALF_UP, Decimal, InvalidOperation
from functools import cache

from babel.numbers import list_currencies
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext_lazy as _

AMOUNT_MAX_DIGITS = 14
AMOUNT_DECIMAL_PLACES = 2
CENT = Decimal("0.01")


@cache
def currency_codes() -> frozenset[str]:
    return frozenset(code for code in list_currencies() if len(code) == 3 and code.isalpha())


def validate_currency(value: str) -> None:
    if value not in currency_codes():
        raise ValidationError(_("%(value)s is not an ISO 4217 currency code."), params={"value": value})


def to_amount(value: object) -> Decimal:
    """Parse an amount exactly (strings and ints, not floats) and round it to cents."""
    if isinstance(value, float):
        raise ValidationError(_("Amounts must be given as text or Decimal, not as a binary float."))
    try:
        amount = Decimal(str(value))
    except InvalidOperation:
        raise ValidationError(_("%(value)s is not a number."), params={"value": value}) from None
    if not amount.is_finite():
        raise ValidationError(_("%(value)s is not a number."), params={"value": value})
    return amount.quantize(CENT, rounding=ROUND_HALF_UP)


class CurrencyField(models.CharField):
    def __init__(self, *args: object, **kwargs: object) -> None:
        kwargs.setdefault("max_length", 3)
        kwargs.setdefault("validators", [validate_currency])
        kwargs.setdefault("verbose_name", _("currency"))
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]


def amount_field(verbose_name: str | object, **kwargs: object) -> models.DecimalField:
    return models.DecimalField(
        verbose_name,  # type: ignore[arg-type]
        max_digits=AMOUNT_MAX_DIGITS,
        decimal_places=AMOUNT_DECIMAL_PLACES,
        **kwargs,  # type: ignore[arg-type]
    )
