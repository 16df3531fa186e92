"""Customer search through an index, never a scan: see docs/decisions/0007.

Each customer carries ``search_document``: its name, e-mails, phone digits and external ids in lower case.
SQLite indexes that column with an FTS5 table using the trigram tokenizer (substring matches of three or more
characters through the index); PostgreSQL with a pg_trgm GIN index, which serves ``ILIKE '%x%'``. A query is
split into words and every word must match. Words of one or two characters cannot use a trigram index, so a
query made only of such words falls back to a name prefix, which the name index serves.
"""

from __future__ import annotations

import re

from django.db import connection
from django.db.models import Q, QuerySet
from django.db.models.expressions import RawSQL

from rapport.customers.models import ContactPoint, Customer, ExternalIdentifier

FTS_TABLE = "customers_customer_fts"
MIN_TRIGRAM = 3
_MAX_WORDS = 6
_PHONEISH = re.compile(r"^[\d\s()+./-]{5,}$")
_SEPARATORS = re.compile(r"\s+")


def document_for(customer: Customer) -> str:
    points = ContactPoint.objects.filter(customer=customer).values_list("normalized", flat=True)
    idents = ExternalIdentifier.objects.filter(customer=customer).values_list("external_id", flat=True)
    parts = [customer.display_name, *points, *(p.lstrip("+") for p in points if p.startswith("+")), *idents]
    return " ".join(dict.fromkeys(p.strip().lower() for p in parts if p and p.strip()))


def search_document_refresh(customer: Customer) -> None:
    customer.search_document = document_for(customer)
    Customer.objects.filter(pk=customer.pk).update(search_document=customer.search_document)


def query_words(text: str) -> list[str]:
    """The words of a search box entry, lower-cased; a phone number typed with spaces becomes its digits."""
    text = text.strip().lower()[:200]
    if _PHONEISH.match(text):
        digits = re.sub(r"\D", "", text)
        return [digits] if digits else []
    return [w for w in _SEPARATORS.split(text) if w][:_MAX_WORDS]


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def search(queryset: QuerySet[Customer], text: str) -> QuerySet[Customer]:
    """``queryset`` narrowed to the customers matching every word of ``text``."""
    words = query_words(text)
    if not words:
        return queryset
    long_words = [w for w in words if len(w) >= MIN_TRIGRAM]
    if not long_words:
        # Too short for trigrams: a name prefix, in the stored case and capitalised, through the name index.
        prefix = " ".join(words)
        return queryset.filter(
            Q(display_name__startswith=prefix) | Q(display_name__startswith=prefix[:1].upper() + prefix[1:])
        )
    if connection.vendor == "sqlite":
        expression = " AND ".join(_fts_phrase(w) for w in long_words)
        matching = RawSQL(f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s", [expression])  # noqa: S611
        return queryset.filter(id__in=matching)
    # The document is lower case already, so a plain LIKE (which gin_trgm_ops serves) is enough.
    for word in long_words:
        queryset = queryset.filter(search_document__contains=word)
    return queryset
