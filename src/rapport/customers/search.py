"""Customer search through an index, never a scan: see docs/decisions/0007.

Each customer carries ``search_document``: its name, e-mails, phone digits and external ids in lower case.
SQLite indexes that column with an FTS5 table using the trigram tokenizer (substring matches of three or more
characters through the index); PostgreSQL with a pg_trgm GIN index, which serves ``ILIKE '%x%'``. A query is
split into words and every word must match. Words of one or two characters cannot use a trigram index, so a
query made only of such words falls back to a name prefix, which the name index serves.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable

from django.db import connection
from django.db.models import BooleanField, Q, QuerySet
from django.db.models.expressions import RawSQL

from rapport.customers.models import ContactPoint, Customer, ExternalIdentifier

FTS_TABLE = "customers_customer_fts"
MIN_TRIGRAM = 3
# Above this many matches a search walks the list's index instead of sorting its matches (matches_many).
BROAD_MATCHES = 2_000
_MAX_WORDS = 6
_PHONEISH = re.compile(r"^[\d\s()+./-]{5,}$")
_SEPARATORS = re.compile(r"\s+")


# Letters that carry their mark in the letter itself (and the dotless i), which decomposition leaves as they are.
_UNDECOMPOSED = str.maketrans({
    "ł": "l", "Ł": "L", "ø": "o", "Ø": "O", "đ": "d", "Đ": "D", "ħ": "h", "Ħ": "H", "\u0131": "i", "ß": "ss",
    "æ": "ae", "Æ": "AE", "œ": "oe", "Œ": "OE", "þ": "th", "Þ": "TH",
})


def fold(text: str) -> str:
    """Lower case without diacritics ("Łódź" gives "lodz"): people type names without their accents.

    Hebrew points and Arabic vowel marks are combining marks too, so a pointed name matches an unpointed one.
    """
    decomposed = unicodedata.normalize("NFKD", text.translate(_UNDECOMPOSED))
    return "".join(ch for ch in decomposed if not unicodedata.combining(ch)).lower()


def document_text(parts: Iterable[str]) -> str:
    """The search document from its parts: each in lower case, then the accent-free forms that differ.

    Queries are folded (:func:`query_words`), and the folded forms in the document are what they match.
    """
    words = list(dict.fromkeys(p.strip().lower() for p in parts if p and p.strip()))
    folded = [f for f in dict.fromkeys(fold(w) for w in words) if f not in words]
    return " ".join([*words, *folded])


def document_for(customer: Customer) -> str:
    points = ContactPoint.objects.filter(customer=customer).values_list("normalized", flat=True)
    idents = ExternalIdentifier.objects.filter(customer=customer).values_list("external_id", flat=True)
    return document_text([customer.display_name, *points, *(p.lstrip("+") for p in points if p.startswith("+")),
                          *idents])


def search_document_refresh(customer: Customer) -> None:
    customer.search_document = document_for(customer)
    Customer.objects.filter(pk=customer.pk).update(search_document=customer.search_document)


def query_words(text: str) -> list[str]:
    """The words of a search box entry, folded (:func:`fold`); a phone number typed with spaces becomes digits."""
    text = text.strip().lower()[:200]
    if _PHONEISH.match(text):
        digits = re.sub(r"\D", "", text)
        return [digits] if digits else []
    return [fold(w) for w in _SEPARATORS.split(text) if w][:_MAX_WORDS]


def _fts_phrase(word: str) -> str:
    return '"' + word.replace('"', '""') + '"'


def _long_words(text: str) -> list[str]:
    return [w for w in query_words(text) if len(w) >= MIN_TRIGRAM]


def _fts_expression(words: list[str]) -> str:
    return " AND ".join(_fts_phrase(w) for w in words)


def matches_many(text: str) -> bool:
    """Whether ``text`` matches more than BROAD_MATCHES customers (SQLite's index says so in well under 1 ms).

    SQLite cannot estimate how many rows an FTS match returns, so it always reads the matches first and
    sorts them: right for a rare word, but a common one (a frequent surname) matches 1 to 5% of a million
    customers, and sorting those to show 50 grows with the table. For such words the list instead walks its
    ordered index and keeps the rows that match, which stops after a page. PostgreSQL estimates trigram
    matches itself and chooses on its own.
    """
    words = _long_words(text)
    if not words or connection.vendor != "sqlite":
        return False
    with connection.cursor() as cursor:
        cursor.execute(
            f"SELECT count(*) FROM (SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s LIMIT %s)",
            [_fts_expression(words), BROAD_MATCHES + 1],
        )
        return int(cursor.fetchone()[0]) > BROAD_MATCHES


def _starts(prefix: str) -> Q:
    # A range, not LIKE 'x%': SQLite's LIKE ignores case, so it cannot use the (display_name, id) index.
    return Q(display_name__gte=prefix, display_name__lt=prefix + "\U0010ffff")


def search(queryset: QuerySet[Customer], text: str, *, ordered_walk: bool = False) -> QuerySet[Customer]:
    """``queryset`` narrowed to the customers matching every word of ``text``.

    ``ordered_walk`` (SQLite; see :func:`matches_many`) writes the match as ``+id IN (...)``: the unary plus
    keeps SQLite from driving the query from the match list, so it walks the index of the list's order.
    """
    words = query_words(text)
    if not words:
        return queryset
    long_words = [w for w in words if len(w) >= MIN_TRIGRAM]
    if not long_words:
        # Too short for trigrams: a name prefix, in the stored case and capitalised, through the name index.
        prefix = " ".join(_SEPARATORS.split(text.strip().lower()))[:40]  # as typed, accents and all
        return queryset.filter(_starts(prefix) | _starts(prefix[:1].upper() + prefix[1:]))
    if connection.vendor == "sqlite":
        matching = f"SELECT rowid FROM {FTS_TABLE} WHERE {FTS_TABLE} MATCH %s"
        if ordered_walk:
            table = connection.ops.quote_name(Customer._meta.db_table)
            condition = RawSQL(f"+{table}.\"id\" IN ({matching})", [_fts_expression(long_words)],  # noqa: S611
                               output_field=BooleanField())
            return queryset.filter(condition)
        return queryset.filter(id__in=RawSQL(matching, [_fts_expression(long_words)]))  # noqa: S611
    # The document is lower case already, so a plain LIKE (which gin_trgm_ops serves) is enough.
    for word in long_words:
        queryset = queryset.filter(search_document__contains=word)
    return queryset
