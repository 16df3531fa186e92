from __future__ import annotations

from typing import Any

from django.db.models import Prefetch, QuerySet

from rapport.commerce.models import Order, OrderLine, Product
from rapport.core.access import scope_of, visible_to


def product_list(*, user: Any) -> QuerySet[Product]:
    # Products are catalogue data, not customer data: every signed-in user may read them.
    return Product.objects.all() if scope_of(user) else Product.objects.none()


def order_list(*, user: Any) -> QuerySet[Order]:
    return visible_to(user, Order.objects.select_related("customer")).prefetch_related(
        Prefetch("lines", queryset=OrderLine.objects.select_related("product").order_by("id"))
    )
