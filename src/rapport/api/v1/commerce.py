"""Products (catalogue data every signed-in user may read) and orders (customer data, scoped)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.db import models
from django.utils.translation import gettext_lazy as _
from django_filters import rest_framework as filters
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from rapport.api.fields import CurrencyField, DateTimeRangeFilter, IdFilter, VisiblePrimaryKeyField
from rapport.api.viewsets import ServiceViewSet
from rapport.commerce.choices import OrderStatus, SalesChannel
from rapport.commerce.models import Order, OrderLine, Product
from rapport.commerce.selectors import order_list, product_list
from rapport.commerce.services import (
    order_create,
    order_delete,
    order_update,
    product_create,
    product_delete,
    product_update,
)
from rapport.core.money import AMOUNT_DECIMAL_PLACES, AMOUNT_MAX_DIGITS
from rapport.customers.models import Customer
from rapport.customers.selectors import customer_list

MAX_LINES = 500
# The largest amount an amount column holds (14 digits, 2 after the point).
AMOUNT_LIMIT = Decimal(10) ** (AMOUNT_MAX_DIGITS - AMOUNT_DECIMAL_PLACES)


def _amount(**kwargs: Any) -> serializers.DecimalField:
    """An amount as a decimal string (numbers are accepted too and read exactly; never stored as float)."""
    return serializers.DecimalField(
        max_digits=AMOUNT_MAX_DIGITS, decimal_places=AMOUNT_DECIMAL_PLACES, coerce_to_string=True, **kwargs
    )


@extend_schema_field(
    {"type": "string", "enum": list(SalesChannel.values), "description": "Where the order was placed."},
    component_name="SalesChannelEnum",
)
class SalesChannelField(serializers.ChoiceField):
    """An order's sales channel. Its own schema component: interactions have a ``channel`` enum too."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(choices=SalesChannel.choices, **kwargs)


# --- Products ---------------------------------------------------------------------------------------------


class ProductSerializer(serializers.ModelSerializer):
    price = _amount(read_only=True)

    class Meta:
        model = Product
        fields = ["id", "sku", "name", "category", "price", "currency", "is_active", "created_at", "updated_at"]
        read_only_fields = fields


class ProductWriteSerializer(serializers.ModelSerializer):
    price = _amount()
    currency = CurrencyField(help_text=_("ISO 4217 code, e.g. MYR."))

    class Meta:
        model = Product
        fields = ["sku", "name", "category", "price", "currency", "is_active"]


class ProductFilter(filters.FilterSet):
    sku = filters.CharFilter(max_length=64)
    category = filters.CharFilter(max_length=100)
    is_active = filters.BooleanFilter()

    class Meta:
        model = Product
        fields: list[str] = []


class ProductViewSet(ServiceViewSet):
    """The product catalogue."""

    serializer_class = ProductSerializer
    create_serializer_class = ProductWriteSerializer
    update_serializer_class = ProductWriteSerializer
    filterset_class = ProductFilter
    ordering_fields = ["sku"]
    ordering = "sku"

    def get_queryset(self) -> models.QuerySet[Product]:
        return product_list(user=self.request.user)

    def create_object(self, data: dict[str, Any]) -> Product:
        is_active = data.pop("is_active", True)
        product = product_create(**data)
        if not is_active:
            product = product_update(product=product, data={"is_active": False})
        return product

    def update_object(self, instance: Product, data: dict[str, Any]) -> Product:
        return product_update(product=instance, data=data)

    def delete_object(self, instance: Product) -> None:
        product_delete(product=instance)


# --- Orders -----------------------------------------------------------------------------------------------


class OrderLineSerializer(serializers.ModelSerializer):
    quantity = serializers.DecimalField(max_digits=12, decimal_places=3, read_only=True)
    unit_price = _amount(read_only=True)
    line_total = _amount(read_only=True)

    class Meta:
        model = OrderLine
        fields = ["id", "product", "description", "quantity", "unit_price", "line_total"]
        read_only_fields = fields


class OrderSerializer(serializers.ModelSerializer):
    lines = OrderLineSerializer(many=True, read_only=True)
    channel = SalesChannelField(read_only=True)
    total = _amount(read_only=True)

    class Meta:
        model = Order
        fields = [
            "id", "customer", "external_id", "channel", "placed_at", "status", "total", "currency", "source",
            "lines", "created_at", "updated_at",
        ]
        read_only_fields = fields


class OrderLineInputSerializer(serializers.Serializer):
    product = VisiblePrimaryKeyField(
        selector=product_list, model=Product, required=False, allow_null=True, help_text=_("A product id.")
    )
    description = serializers.CharField(max_length=200, required=False, allow_blank=True)
    quantity = serializers.DecimalField(
        max_digits=12, decimal_places=3, min_value=Decimal("0.001"), default=Decimal(1)
    )
    unit_price = _amount(required=False, help_text=_("Defaults to the product's price."))

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        product = attrs.get("product")
        if product is None and not (attrs.get("description") or "").strip():
            raise serializers.ValidationError(_("Give a product or a description."))
        if product is None and attrs.get("unit_price") is None:
            raise serializers.ValidationError({"unit_price": _("A line without a product needs a unit price.")})
        price = attrs.get("unit_price", product.price if product else None)
        if price is not None and abs(price * attrs["quantity"]) >= AMOUNT_LIMIT:
            raise serializers.ValidationError(_("The line total is too large."))
        return attrs


class OrderUpdateSerializer(serializers.ModelSerializer):
    channel = SalesChannelField(required=False)
    total = _amount(required=False, help_text=_("Only for an order without lines."))

    class Meta:
        model = Order
        fields = ["external_id", "channel", "placed_at", "status", "total", "source"]
        # The (source, external_id) constraint is checked by the service's full_clean, in its transaction.
        validators: list[Any] = []

    def validate_total(self, value: Decimal) -> Decimal:
        order = self.instance
        if isinstance(order, Order) and order.lines.all():
            raise serializers.ValidationError(_("The total of an order with lines is the sum of its lines."))
        return value


class OrderCreateSerializer(OrderUpdateSerializer):
    customer = VisiblePrimaryKeyField(selector=customer_list, model=Customer, help_text=_("The customer's id."))
    currency = CurrencyField(help_text=_("ISO 4217 code, e.g. MYR."))
    lines: serializers.ListSerializer[Any] = serializers.ListSerializer(
        child=OrderLineInputSerializer(), required=False, max_length=MAX_LINES
    )
    total = _amount(required=False, help_text=_("Required without lines; with lines it must equal their sum."))

    class Meta(OrderUpdateSerializer.Meta):
        fields = ["customer", "currency", "lines", *OrderUpdateSerializer.Meta.fields]

    def validate_total(self, value: Decimal) -> Decimal:
        return value

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        lines = attrs.get("lines") or []
        if not lines and attrs.get("total") is None:
            raise serializers.ValidationError({"total": _("An order needs lines or a total.")})
        total = sum(
            (line.get("unit_price", line["product"].price if line.get("product") else 0) * line["quantity"]
             for line in lines),
            Decimal(0),
        )
        if abs(total) >= AMOUNT_LIMIT:
            raise serializers.ValidationError({"lines": _("The order total is too large.")})
        return attrs


class OrderFilter(filters.FilterSet):
    customer = IdFilter(field_name="customer")
    status = filters.ChoiceFilter(choices=OrderStatus.choices)
    channel = filters.ChoiceFilter(choices=SalesChannel.choices)
    placed_at = DateTimeRangeFilter()

    class Meta:
        model = Order
        fields: list[str] = []


class OrderViewSet(ServiceViewSet):
    """Orders of the customers the caller may see, with their lines."""

    serializer_class = OrderSerializer
    create_serializer_class = OrderCreateSerializer
    update_serializer_class = OrderUpdateSerializer
    filterset_class = OrderFilter
    ordering_fields = ["placed_at"]
    ordering = "-placed_at"

    def get_queryset(self) -> models.QuerySet[Order]:
        return order_list(user=self.request.user)

    def create_object(self, data: dict[str, Any]) -> Order:
        return order_create(**data)

    def update_object(self, instance: Order, data: dict[str, Any]) -> Order:
        return order_update(order=instance, data=data)

    def delete_object(self, instance: Order) -> None:
        order_delete(order=instance)
