from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError

from rapport.commerce.models import Order
from rapport.commerce.services import order_create, product_create
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_an_order_total_is_the_exact_sum_of_its_lines():
    tea = product_create(sku="TEA-1", name="Teh tarik", price=Decimal("3.30"), currency="myr")
    order = order_create(
        customer=make_customer(), currency="MYR",
        lines=[{"product": tea, "quantity": 3}, {"description": "Roti", "unit_price": "1.10"}],
    )
    assert order.total == Decimal("11.00")
    assert [line.line_total for line in order.lines.order_by("id")] == [Decimal("9.90"), Decimal("1.10")]


def test_a_total_that_disagrees_with_the_lines_writes_nothing():
    with pytest.raises(ValidationError) as err:
        order_create(customer=make_customer(), currency="PLN", lines=[{"unit_price": "5"}], total="6")
    assert "total" in err.value.message_dict
    assert not Order.objects.exists()


def test_an_unknown_currency_names_the_field():
    with pytest.raises(ValidationError) as err:
        order_create(customer=make_customer(), currency="ZZZ", total="5")
    assert "currency" in err.value.message_dict
