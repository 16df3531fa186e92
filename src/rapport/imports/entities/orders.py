"""Orders, one per row or with lines: rows repeating an order's external id each carry one line.

Lines are given by mapping any of ``sku``, ``description``, ``quantity``, ``unit_price``. Then the rows of one
order must follow each other (as every export writes them); they are kept in one chunk, and together they
are the order's complete set of lines: a re-import with other lines replaces them (the old ones are kept in
the before-image). The order's total is the sum of its lines; a ``total`` given beside lines must equal it.
Without line columns every row is a whole order and ``total`` is required.
"""

from __future__ import annotations

from collections.abc import Sequence
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from rapport.commerce.choices import OrderStatus, SalesChannel
from rapport.commerce.models import Order, OrderLine, Product
from rapport.core.bulkload import Col, const
from rapport.core.money import CENT
from rapport.customers.models import ContactPoint, Customer, ExternalIdentifier
from rapport.imports import fields as f
from rapport.imports.entities.common import hidden_message, scoped, unknown_customer_message
from rapport.imports.entities.customer_rows import CustomerTag
from rapport.imports.entities.references import CustomerRefs
from rapport.imports.entities.synonyms import SYNONYMS
from rapport.imports.fields import shown
from rapport.imports.registry import Entity, Field, register
from rapport.imports.rows import Row
from rapport.imports.writes import ChunkContext, datetimes

LINE_FIELDS = frozenset({"sku", "description", "quantity", "unit_price"})
ORDER_FIELDS = ("customer", "placed_at", "total", "currency", "channel", "status")
LineKey = tuple[int | None, str, Decimal, Decimal]  # product id, description, quantity, unit price

_channel = f.choice(SalesChannel, {
    SalesChannel.WEB: ["online", "web", "website", "e-commerce", "sklep internetowy", "dalam talian", "daring",
                       "آنلاین", "אונליין", "אתר"],
    SalesChannel.BRANCH: ["store", "shop", "branch", "cawangan", "kedai", "toko", "cabang", "sklep", "oddział",
                          "فروشگاه", "شعبه", "סניף", "חנות"],
    SalesChannel.APP: ["mobile", "app", "aplikasi", "aplikacja", "اپلیکیشن", "אפליקציה"],
})
_status = f.choice(OrderStatus, {
    OrderStatus.COMPLETED: ["delivered", "done", "closed", "selesai", "zrealizowane", "تکمیل", "הושלם"],
    OrderStatus.CANCELLED: ["canceled", "void", "dibatalkan", "batal", "anulowane", "لغو", "בוטל"],
})


class OrdersEntity(Entity):
    name = "orders"
    label = gettext_lazy("Orders")
    identity = gettext_lazy("external_id within the source; the customer by its external id in the same source")
    tables = (Customer, ContactPoint, ExternalIdentifier, CustomerTag, Order, OrderLine)
    group_field = "external_id"
    fields = (
        Field("external_id", gettext_lazy("order number"), f.text(128), required=True,
              synonyms=(*SYNONYMS["order_id"], "external id")),
        Field("customer", gettext_lazy("customer"), f.text(128), required=True, synonyms=SYNONYMS["customer"],
              help=gettext_lazy("the customer's external id in the same source")),
        Field("placed_at", gettext_lazy("placed at"), f.any_datetime, required=True, synonyms=SYNONYMS["placed_at"]),
        Field("total", gettext_lazy("total"), f.amount, synonyms=SYNONYMS["total"],
              help=gettext_lazy("required without lines; with lines, the sum of the lines")),
        Field("currency", gettext_lazy("currency"), f.currency, required=True, synonyms=SYNONYMS["currency"]),
        Field("channel", gettext_lazy("channel"), _channel, synonyms=SYNONYMS["channel"]),
        Field("status", gettext_lazy("status"), _status, synonyms=SYNONYMS["status"]),
        Field("sku", gettext_lazy("SKU"), f.text(64), synonyms=SYNONYMS["sku"], line=True),
        Field("description", gettext_lazy("description"), f.text(200), synonyms=SYNONYMS["description"], line=True),
        Field("quantity", gettext_lazy("quantity"), f.quantity, synonyms=SYNONYMS["quantity"], line=True),
        Field("unit_price", gettext_lazy("unit price"), f.amount, synonyms=SYNONYMS["unit_price"], line=True),
    )

    def grouped(self, mapped: set[str]) -> bool:
        return bool(mapped & LINE_FIELDS)

    def check_mapping(self, mapped: set[str], options: dict[str, Any]) -> list[str]:
        problems = super().check_mapping(mapped, options)
        if not self.grouped(mapped) and "total" not in mapped:
            problems.append(_("no column is mapped to total (or to the lines' sku, quantity and unit_price)"))
        return problems

    def check_row(self, values: dict[str, Any], errors: dict[str, str], options: dict[str, Any]) -> None:
        priced = "unit_price" in values or "sku" in values or "unit_price" in errors
        if options.get("_grouped") and not priced:
            errors["unit_price"] = _("a line needs a unit price or a known SKU")

    def write(self, rows: Sequence[Row], ctx: ChunkContext) -> None:
        _OrderChunk(ctx, rows).run()


class _Order:
    __slots__ = ("db", "fields", "lines", "rows")

    def __init__(self) -> None:
        self.rows: list[Row] = []
        self.fields: dict[str, Any] = {}
        self.lines: list[LineKey] = []
        self.db: dict[str, Any] | None = None


class _OrderChunk:
    def __init__(self, ctx: ChunkContext, rows: Sequence[Row]) -> None:
        self.ctx, self.rows = ctx, rows
        self.lines_mode = bool(ctx.options.get("_grouped"))
        self.seen: set[str] = ctx.state.setdefault("orders_seen", set())

    def run(self) -> None:
        ctx = self.ctx
        groups: dict[str, _Order] = {}
        for row in self.rows:
            groups.setdefault(row.values["external_id"], _Order()).rows.append(row)
        groups = self._drop_broken(groups)
        refs = CustomerRefs(ctx, {r.values["customer"] for g in groups.values() for r in g.rows})
        existing = self._existing(list(groups))
        products = dict(Product.objects.filter(
            sku__in=list({r.values["sku"] for g in groups.values() for r in g.rows if "sku" in r.values})
        ).values_list("sku", "pk"))
        prices = dict(Product.objects.filter(pk__in=list(products.values())).values_list("pk", "price"))
        creates: list[_Order] = []
        updates: list[_Order] = []
        for external_id, order in groups.items():
            order.db = existing.get(external_id)
            problem = self._resolve(order, refs, products, prices)
            if problem:
                for row in order.rows:
                    ctx.reject(row, problem)
                continue
            self.seen.add(external_id)
            self._classify(order, creates, updates)
        self._insert(creates)
        self._update(updates)

    def _drop_broken(self, groups: dict[str, _Order]) -> dict[str, _Order]:
        """With lines, an order with a rejected line, or whose lines were split, is rejected whole."""
        if not self.lines_mode:
            return groups
        kept = {}
        for external_id, order in groups.items():
            if external_id in self.ctx.rejected_keys:
                reason = _("another line of order %(value)s was rejected") % {"value": shown(external_id)}
            elif external_id in self.seen:
                reason = _("the lines of order %(value)s must be on consecutive rows") % {"value": shown(external_id)}
            else:
                kept[external_id] = order
                continue
            for row in order.rows:
                self.ctx.reject(row, {"external_id": reason})
        return kept

    def _existing(self, external_ids: list[str]) -> dict[str, dict[str, Any]]:
        if not external_ids:
            return {}
        orders = Order.objects.filter(source=self.ctx.source, external_id__in=external_ids)
        columns = ("pk", "external_id", "customer_id", "updated_at", *ORDER_FIELDS[1:])
        found = {o["external_id"]: o for o in orders.values(*columns)}
        if self.ctx.user is not None and found:
            visible = set(scoped(self.ctx, orders).values_list("external_id", flat=True))
            for external_id, order in found.items():
                order["hidden"] = external_id not in visible
        if self.lines_mode and found:
            lines: dict[int, list[tuple[int, LineKey]]] = {}
            for pk, order_id, product, description, quantity, price in OrderLine.objects.filter(
                order_id__in=[o["pk"] for o in found.values()]
            ).order_by("pk").values_list("pk", "order_id", "product_id", "description", "quantity", "unit_price"):
                lines.setdefault(order_id, []).append((pk, (product, description, quantity, price)))
            for order in found.values():
                order["lines"] = lines.get(order["pk"], [])
        return found

    def _resolve(self, order: _Order, refs: CustomerRefs, products: dict[str, int],
                 prices: dict[int, Decimal]) -> dict[str, str] | None:
        """Fold the rows into the order's fields and lines; the reason to reject them all, if any."""
        fields = order.fields
        for row in order.rows:
            fields.update({k: v for k, v in row.values.items() if k in ORDER_FIELDS})
        if order.db and order.db.get("hidden"):
            return {"external_id": hidden_message(order.rows[0].values["external_id"])}
        customer = fields["customer"]
        if customer in refs.hidden:
            return {"customer": hidden_message(customer)}
        if customer not in refs.ids:
            return {"customer": unknown_customer_message(customer)}
        fields["customer"] = refs.ids[customer]
        if not self.lines_mode:
            if order.db is None and "total" not in fields:
                return {"total": _("a new order needs a total (or lines)")}
            return None
        for row in order.rows:
            values = row.values
            product = None
            if "sku" in values:
                product = products.get(values["sku"])
                if product is None:
                    return {"sku": _("no product has the SKU %(value)s") % {"value": shown(values["sku"])}}
            # check_row made sure a line without a unit price has a SKU, and the SKU was found above.
            price = values["unit_price"] if "unit_price" in values else prices[product]  # type: ignore[index]
            quantity = values.get("quantity", Decimal("1.000"))
            order.lines.append((product, values.get("description", ""), quantity, price))
        total = sum(((q * p).quantize(CENT) for _pr, _d, q, p in order.lines), Decimal("0.00"))
        given = fields.get("total")
        if given is not None and given != total:
            message = _("%(given)s is not the sum of the order's lines (%(sum)s)") % {"given": given, "sum": total}
            return {"total": message}
        fields["total"] = total
        return None

    def _classify(self, order: _Order, creates: list[_Order], updates: list[_Order]) -> None:
        n = len(order.rows) if self.lines_mode else 1
        if order.db is None:
            creates.append(order)
            self.ctx.count("created", n)
            extra = len(order.rows) - n  # one order per row: later rows of the same id update the first
            if extra:
                self.ctx.count("updated", extra)
            return
        db = {**order.db, "customer": order.db["customer_id"]}
        changed = any(db[k] != v for k, v in order.fields.items())
        if self.lines_mode:
            changed = changed or [key for _pk, key in db["lines"]] != order.lines
        if changed:
            updates.append(order)
        self.ctx.count("updated" if changed else "unchanged", len(order.rows))

    def _insert(self, creates: list[_Order]) -> None:
        ctx, n = self.ctx, len(creates)
        if not n:
            return
        rows = [o.fields for o in creates]
        ids = ctx.insert(Order, n, {
            "created_at": ctx.now_col(n), "updated_at": ctx.now_col(n), "source": const(ctx.source),
            "customer": Col("int", [r["customer"] for r in rows]),
            "external_id": Col("text", [o.rows[0].values["external_id"] for o in creates]),
            "channel": Col("text", [r.get("channel", SalesChannel.WEB) for r in rows]),
            "placed_at": datetimes(r["placed_at"] for r in rows),
            "status": Col("text", [r.get("status", OrderStatus.PLACED) for r in rows]),
            "total": Col("cents", [int(r["total"] * 100) for r in rows]),
            "currency": Col("text", [r["currency"] for r in rows]),
        })
        self._insert_lines([(pk, o.lines) for pk, o in zip(ids.tolist(), creates, strict=True)])

    def _insert_lines(self, orders: list[tuple[int, list[LineKey]]]) -> None:
        lines = [(pk, line) for pk, order_lines in orders for line in order_lines]
        if not lines:
            return
        k = len(lines)
        self.ctx.insert(OrderLine, k, {
            "order": Col("int", [pk for pk, _l in lines]),
            "product": Col("int_or_null", [-1 if line[0] is None else line[0] for _pk, line in lines]),
            "description": Col("text", [line[1] for _pk, line in lines]),
            "quantity": Col("text", [str(line[2]) for _pk, line in lines]),
            "unit_price": Col("cents", [int(line[3] * 100) for _pk, line in lines]),
            "line_total": Col("cents", [int((line[2] * line[3]).quantize(CENT) * 100) for _pk, line in lines]),
        })

    def _update(self, updates: list[_Order]) -> None:
        columns = ("customer", *ORDER_FIELDS[1:], "updated_at")
        changes = []
        for order in updates:
            db = order.db
            assert db is not None
            old = [db["customer_id"], *(db[k] for k in ORDER_FIELDS[1:]), db["updated_at"]]
            new = [order.fields.get("customer", db["customer_id"]),
                   *(order.fields.get(k, db[k]) for k in ORDER_FIELDS[1:]), self.ctx.now]
            changes.append((db["pk"], old, new))
        self.ctx.update(Order, columns, changes)
        if self.lines_mode:
            replaced = [o for o in updates if [key for _pk, key in o.db["lines"]] != o.lines]  # type: ignore[index]
            self.ctx.delete(OrderLine, [pk for o in replaced for pk, _key in o.db["lines"]])  # type: ignore[index]
            self._insert_lines([(o.db["pk"], o.lines) for o in replaced])  # type: ignore[index]


register(OrdersEntity)
