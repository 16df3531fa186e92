from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from rapport.core.money import to_amount, validate_currency


def test_it_keeps_amounts_exact_and_rounds_half_up_to_cents():
    assert to_amount("10.005") == Decimal("10.01")
    assert to_amount(3) == Decimal("3.00")


@pytest.mark.parametrize("bad", [0.1, "ten", "NaN", "Infinity"])
def test_it_rejects_floats_and_non_numbers(bad):
    with pytest.raises(ValidationError):
        to_amount(bad)


def test_it_knows_iso_currency_codes():
    for code in ["MYR", "IDR", "PLN", "IRR", "ILS", "EUR", "USD"]:
        validate_currency(code)
    with pytest.raises(ValidationError):
        validate_currency("XYZ1")
