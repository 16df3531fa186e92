"""The reader process: the same checked chunks as in-process, its failures reported in the main process."""

from contextlib import nullcontext

import pytest

from rapport.customers.models import Customer
from rapport.imports import registry
from rapport.imports.headers import auto_map
from rapport.imports.pipeline import checked_chunks, fork_available
from rapport.imports.rows import Plan
from rapport.imports.services import import_file
from rapport.imports.sources import SourceError
from tests.imports.conftest import CUSTOMER_HEADERS, customer_row

pytestmark = pytest.mark.skipif(not fork_available(), reason="needs fork")
ENTITY = registry.get("customers")


def plan():
    return Plan.build(ENTITY, CUSTOMER_HEADERS, auto_map(ENTITY, CUSTOMER_HEADERS), {})


def rows(n, bad_every=4):
    return [(i + 2, customer_row(i, Email="x@" if i % bad_every == 0 else f"a{i}@example.com")) for i in range(n)]


def test_the_reader_process_gives_the_same_chunks():
    data = rows(23)
    here = list(checked_chunks(lambda: nullcontext(iter(data)), plan(), size=5))
    there = list(checked_chunks(lambda: nullcontext(iter(data)), plan(), size=5, parallel=True))
    assert [(c.number, c.rows_before, c.size) for c in there] == [(1, 0, 5), (2, 5, 5), (3, 10, 5), (4, 15, 5),
                                                                  (5, 20, 3)]
    assert [(c.rows, c.rejected) for c in here] == [(c.rows, c.rejected) for c in there]


def test_a_resumed_reader_skips_the_committed_rows():
    chunks = list(checked_chunks(lambda: nullcontext(iter(rows(12))), plan(), size=5, skip=10, first_number=3,
                                 parallel=True))
    assert [(c.number, c.rows_before, c.size) for c in chunks] == [(3, 10, 2)]


def test_a_reader_failure_reaches_the_main_process():
    def broken():
        yield from rows(7)
        raise SourceError("Line 9: the file ends inside a quoted cell.", line=9)

    with pytest.raises(SourceError, match="ends inside a quoted cell"):
        list(checked_chunks(lambda: nullcontext(broken()), plan(), size=5, parallel=True))

    def crashing():
        yield from rows(2)
        raise MemoryError("boom")

    with pytest.raises(RuntimeError, match="MemoryError: boom"):
        list(checked_chunks(lambda: nullcontext(crashing()), plan(), size=5, parallel=True))


@pytest.mark.django_db
def test_a_file_imported_through_the_reader_process_lands_the_same(var_dir, tmp_path):
    path = tmp_path / "customers.csv"
    lines = [",".join(CUSTOMER_HEADERS)] + [",".join(r) for _n, r in rows(40)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    parallel = import_file(entity="customers", path=path, source="a", parallel=True, chunk_size=7)
    serial = import_file(entity="customers", path=path, source="b", parallel=False, chunk_size=7)
    assert parallel.counts == serial.counts and parallel.counts["rejected"] == 10
    fields = ("first_name", "primary_email", "primary_phone", "search_document")
    a = list(Customer.objects.filter(source="a").order_by("pk").values_list(*fields))
    b = list(Customer.objects.filter(source="b").order_by("pk").values_list(*fields))
    assert len(a) == 30 and [r[:3] for r in a] == [r[:3] for r in b]
