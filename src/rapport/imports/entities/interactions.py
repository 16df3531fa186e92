"""Interactions (touchpoints) on the customer's timeline.

Interactions carry no external id, so one is recognised by what it is: in the batch's source, the same
customer, moment, channel and subject. Re-importing a file therefore finds every row again; a changed body,
direction or staff member updates it.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from django.utils.translation import gettext_lazy

from rapport.core.bulkload import Col, const
from rapport.customers.models import ContactPoint, Customer, ExternalIdentifier
from rapport.imports import fields as f
from rapport.imports.entities.common import (
    hidden_message,
    unknown_customer_message,
    unknown_user_message,
    users_by_name,
)
from rapport.imports.entities.customer_rows import CustomerTag
from rapport.imports.entities.references import CustomerRefs
from rapport.imports.entities.synonyms import SYNONYMS
from rapport.imports.registry import Entity, Field, register
from rapport.imports.rows import Row
from rapport.imports.writes import ChunkContext, datetimes
from rapport.interactions.choices import Channel, Direction
from rapport.interactions.models import Interaction

FIELDS = ("direction", "body", "user")
Key = tuple[int, datetime, str, str]

_channel = f.choice(Channel, {
    Channel.EMAIL: ["mail", "e-mel", "emel", "surel", "ایمیل", 'דוא"ל', "מייל"],
    Channel.PHONE: ["call", "phone call", "telefon", "panggilan", "telepon", "تماس", "تلفن", "שיחה", "טלפון"],
    Channel.BRANCH: ["branch", "store", "visit", "in person", "face to face", "cawangan", "kunjungan", "wizyta",
                     "oddział", "حضوری", "סניף", "פגישה"],
    Channel.CHAT: ["whatsapp", "live chat", "czat", "چت", "צ'אט"],
    Channel.SOCIAL: ["facebook", "instagram", "twitter", "media sosial", "media społecznościowe"],
})
_direction = f.choice(Direction, {
    Direction.INBOUND: ["in", "incoming", "received", "masuk", "przychodzące", "ورودی", "נכנס"],
    Direction.OUTBOUND: ["out", "outgoing", "sent", "keluar", "wychodzące", "خروجی", "יוצא"],
})


class InteractionsEntity(Entity):
    name = "interactions"
    label = gettext_lazy("Interactions")
    identity = gettext_lazy("in the source: the customer, occurred_at, channel and subject together")
    tables = (Customer, ContactPoint, ExternalIdentifier, CustomerTag, Interaction)
    fields = (
        Field("customer", gettext_lazy("customer"), f.text(128), required=True, synonyms=SYNONYMS["customer"],
              help=gettext_lazy("the customer's external id in the same source")),
        Field("occurred_at", gettext_lazy("occurred at"), f.any_datetime, required=True,
              synonyms=SYNONYMS["occurred_at"]),
        Field("channel", gettext_lazy("channel"), _channel, required=True, synonyms=SYNONYMS["channel"]),
        Field("direction", gettext_lazy("direction"), _direction, synonyms=SYNONYMS["direction"]),
        Field("subject", gettext_lazy("subject"), f.text(200), synonyms=SYNONYMS["subject"]),
        Field("body", gettext_lazy("body"), f.text(100_000), synonyms=SYNONYMS["body"]),
        Field("user", gettext_lazy("staff member"), f.text(150), synonyms=SYNONYMS["user"],
              help=gettext_lazy("a staff user's username or e-mail")),
    )

    def write(self, rows: Sequence[Row], ctx: ChunkContext) -> None:
        refs = CustomerRefs(ctx, {r.values["customer"] for r in rows})
        users = users_by_name(r.values["user"] for r in rows if "user" in r.values)
        existing: dict[Key, dict[str, Any]] = {}
        if refs.ids:
            for item in Interaction.objects.filter(
                source=ctx.source, customer_id__in=list(set(refs.ids.values())),
                occurred_at__in=list({r.values["occurred_at"] for r in rows}),
            ).order_by("-pk").values("pk", "customer_id", "occurred_at", "channel", "subject", "direction", "body",
                                     "user_id", "updated_at"):
                found: dict[str, Any] = {**item, "user": item["user_id"]}
                existing[(item["customer_id"], item["occurred_at"], item["channel"], item["subject"])] = found
        new: dict[Key, dict[str, Any]] = {}
        changed: dict[int, dict[str, Any]] = {}
        for row in rows:
            values = row.values
            customer = values["customer"]
            if customer in refs.hidden:
                ctx.reject(row, {"customer": hidden_message(customer)})
                continue
            if customer not in refs.ids:
                ctx.reject(row, {"customer": unknown_customer_message(customer)})
                continue
            if "user" in values and values["user"] not in users:
                ctx.reject(row, {"user": unknown_user_message(values["user"])})
                continue
            given = {k: values[k] for k in ("direction", "body") if k in values}
            if "user" in values:
                given["user"] = users[values["user"]][0]
            key = (refs.ids[customer], values["occurred_at"], values["channel"], values.get("subject", ""))
            if key in new:
                new[key].update(given)
                ctx.count("updated")
            elif key in existing:
                known = existing[key]
                current = changed.get(known["pk"]) or {k: known[k] for k in FIELDS}
                after = {**current, **given}
                ctx.count("unchanged" if after == current else "updated")
                changed[known["pk"]] = after
            else:
                new[key] = {"direction": Direction.INBOUND, "body": "", "user": None, **given}
                ctx.count("created")
        self._insert(ctx, new)
        by_pk = {i["pk"]: i for i in existing.values()}
        ctx.update(Interaction, (*FIELDS, "updated_at"), [
            (pk, [by_pk[pk][k] for k in (*FIELDS, "updated_at")], [after[k] for k in FIELDS] + [ctx.now])
            for pk, after in changed.items() if any(after[k] != by_pk[pk][k] for k in FIELDS)
        ])

    @staticmethod
    def _insert(ctx: ChunkContext, new: dict[Key, dict[str, Any]]) -> None:
        n = len(new)
        if not n:
            return
        keys, values = list(new), list(new.values())
        ctx.insert(Interaction, n, {
            "created_at": ctx.now_col(n), "updated_at": ctx.now_col(n), "source": const(ctx.source),
            "customer": Col("int", [k[0] for k in keys]), "occurred_at": datetimes(k[1] for k in keys),
            "channel": Col("text", [k[2] for k in keys]), "subject": Col("text", [k[3] for k in keys]),
            "direction": Col("text", [v["direction"] for v in values]),
            "body": Col("text", [v["body"] for v in values]),
            "user": Col("int_or_null", [-1 if v["user"] is None else v["user"] for v in values]),
            "related_type": const(None), "related_id": const(None),
        })


register(InteractionsEntity)
