"""Writes for products and orders. An order's total is the sum of its lines when it has lines."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from rapport.commerce.models import Order, OrderLine, Product
from rapport.core.money import to_amount
from rapport.customers.models import Customer


@transaction.atomic
def product_create(*, sku: str, name: str, price: Decimal, currency: str, category: str = "") -> Product:
    product = Product(sku=sku, name=name, price=to_amount(price), currency=currency.upper(), category=category)
    product.full_clean()
    product.save()
    return product


@transaction.atomic
def product_update(*, product: Product, data: Mapping[str, Any]) -> Product:
    for name, value in data.items():
        setattr(product, name, value)
    product.full_clean()
    product.save()
    return product


def _line(order: Order, spec: Mapping[str, Any], index: int) -> OrderLine:
    product = spec.get("product")
    quantity = Decimal(str(spec.get("quantity", 1)))
    if quantity <= 0:
        raise ValidationError({"lines": _("Line %(n)d: the quantity must be positive.") % {"n": index + 1}})
    unit_price = spec.get("unit_price")
    if unit_price is None:
        if product is None:
            raise ValidationError({"lines": _("Line %(n)d needs a product or a unit price.") % {"n": index + 1}})
        unit_price = product.price
    unit_price = to_amount(unit_price)
    return OrderLine(
        order=order, product=product, description=spec.get("description") or (product.name if product else ""),
        quantity=quantity, unit_price=unit_price, line_total=to_amount(unit_price * quantity),
    )


@transaction.atomic
def order_create(
    *,
    customer: Customer,
    currency: str,
    lines: Iterable[Mapping[str, Any]] = (),
    total: Decimal | None = None,
    placed_at: datetime | None = None,
    channel: str = "web",
    status: str = "placed",
    external_id: str = "",
    source: str = "",
) -> Order:
    order = Order(
        customer=customer, currency=currency.upper(), placed_at=placed_at or timezone.now(), channel=channel,
        status=status, external_id=external_id, source=source, total=Decimal("0.00"),
    )
    order.full_clean(exclude=["total"])
    order.save()
    built = [_line(order, spec, i) for i, spec in enumerate(lines)]
    for line in built:
        line.full_clean()
    OrderLine.objects.bulk_create(built)
    if built:
        order.total = to_amount(sum((line.line_total for line in built), Decimal("0")))
        if total is not None and to_amount(total) != order.total:
            raise ValidationError({"total": _("The total does not equal the sum of the lines.")})
    elif total is not None:
        order.total = to_amount(total)
    else:
        raise ValidationError({"total": _("An order needs lines or a total.")})
    order.save(update_fields=["total"])
    return order


@transaction.atomic
def order_update(*, order: Order, data: Mapping[str, Any]) -> Order:
    for name, value in data.items():
        setattr(order, name, to_amount(value) if name == "total" else value)
    order.full_clean()
    order.save()
    return order


@transaction.atomic
def product_delete(*, product: Product) -> None:
    # Order lines keep their description and price; their product link is cleared (SET_NULL).
    product.delete()


@transaction.atomic
def order_delete(*, order: Order) -> None:
    order.delete()
