"""Products, identified by SKU (unique across the catalogue; products have no source)."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

from django.utils.translation import gettext_lazy

from rapport.commerce.models import Product
from rapport.core.bulkload import Col
from rapport.imports import fields as f
from rapport.imports.entities.synonyms import SYNONYMS
from rapport.imports.registry import Entity, Field, register
from rapport.imports.rows import Row
from rapport.imports.writes import ChunkContext

FIELDS = ("name", "category", "price", "currency", "is_active")
DEFAULTS: dict[str, Any] = {"category": "", "is_active": True}


class ProductsEntity(Entity):
    name = "products"
    label = gettext_lazy("Products")
    identity = gettext_lazy("sku")
    tables = (Product,)
    fields = (
        Field("sku", gettext_lazy("SKU"), f.text(64), required=True, synonyms=SYNONYMS["sku"]),
        Field("name", gettext_lazy("name"), f.text(200), required=True, synonyms=SYNONYMS["name"]),
        Field("category", gettext_lazy("category"), f.text(100), synonyms=SYNONYMS["category"]),
        Field("price", gettext_lazy("price"), f.amount, required=True, synonyms=SYNONYMS["price"]),
        Field("currency", gettext_lazy("currency"), f.currency, required=True, synonyms=SYNONYMS["currency"]),
        Field("is_active", gettext_lazy("active"), f.boolean, synonyms=SYNONYMS["is_active"]),
    )

    def write(self, rows: Sequence[Row], ctx: ChunkContext) -> None:
        existing = {p["sku"]: p for p in Product.objects.filter(
            sku__in=list({r.values["sku"] for r in rows})
        ).values("pk", "sku", "updated_at", *FIELDS)}
        new: dict[str, dict[str, Any]] = {}
        changed: dict[str, dict[str, Any]] = {}
        for row in rows:
            sku = row.values["sku"]
            given = {k: v for k, v in row.values.items() if k in FIELDS}
            if sku in new:
                new[sku].update(given)
                ctx.count("updated")
                continue
            if sku not in existing:
                new[sku] = {**DEFAULTS, **given}
                ctx.count("created")
                continue
            current = changed.get(sku) or {k: existing[sku][k] for k in FIELDS}
            after = {**current, **given}
            ctx.count("unchanged" if after == current else "updated")
            changed[sku] = after
        self._insert(ctx, new)
        ctx.update(Product, (*FIELDS, "updated_at"), [
            (existing[sku]["pk"], [existing[sku][k] for k in (*FIELDS, "updated_at")],
             [after[k] for k in FIELDS] + [ctx.now])
            for sku, after in changed.items() if any(after[k] != existing[sku][k] for k in FIELDS)
        ])

    @staticmethod
    def _insert(ctx: ChunkContext, new: dict[str, dict[str, Any]]) -> None:
        n = len(new)
        if not n:
            return
        values = list(new.values())
        ctx.insert(Product, n, {
            "created_at": ctx.now_col(n), "updated_at": ctx.now_col(n), "sku": Col("text", list(new)),
            "name": Col("text", [v["name"] for v in values]), "category": Col("text", [v["category"] for v in values]),
            "price": Col("cents", [int(v["price"] * 100) for v in values]),
            "currency": Col("text", [v["currency"] for v in values]),
            "is_active": Col("bool", [v["is_active"] for v in values]),
        })


register(ProductsEntity)
