"""Customer search: on PostgreSQL the trigram index sits on a copy of the document that triggers keep."""

import pytest
from django.db import connection

from rapport.customers import listing
from rapport.customers.models import Customer, CustomerSearch
from rapport.customers.services import customer_delete, customer_update, identifier_add
from tests.factories import make_customer

pytestmark = pytest.mark.django_db
on_postgres = pytest.mark.skipif(connection.vendor != "postgresql", reason="the copy is PostgreSQL's")


def _names(user, text):
    page = listing.customer_page(user=user, filters=listing.CustomerFilters.parse({"q": text}))[0]
    return [c.display_name for c in page]


def _copy(customer):
    return CustomerSearch.objects.filter(pk=customer.pk).values_list("document", flat=True).first()


def _version_of_copy(customer):
    with connection.cursor() as cursor:  # xmin: the transaction that wrote this version of the row
        cursor.execute("SELECT xmin::text, ctid::text FROM customers_customer_search WHERE id = %s", [customer.pk])
        return cursor.fetchone()


@on_postgres
def test_the_copy_follows_a_new_customer_a_rename_a_new_identifier_and_a_delete(admin_user):
    customer = make_customer(first_name="Wiktoria", last_name="Zawadzka")
    customer.refresh_from_db()
    assert _copy(customer) == customer.search_document and "zawadzka" in _copy(customer)
    customer_update(customer=customer, data={"last_name": "Kaczmarek"})
    identifier_add(customer=customer, source="erp", external_id="ERP-77031")
    customer.refresh_from_db()
    assert _copy(customer) == customer.search_document
    assert "kaczmarek" in _copy(customer) and "zawadzka" not in _copy(customer)
    assert _names(admin_user, "kaczm") == ["Wiktoria Kaczmarek"] == _names(admin_user, "erp-77031")
    assert _names(admin_user, "zawadz") == []
    customer_delete(customer=customer)
    assert not CustomerSearch.objects.filter(pk=customer.pk).exists()


@on_postgres
def test_a_stage_move_does_not_write_the_copy_again():
    customer = make_customer(first_name="Bogdan", last_name="Wróbel")
    before = _version_of_copy(customer)
    Customer.objects.filter(pk=customer.pk).update(lifecycle_stage="active", version=customer.version + 1)
    customer.refresh_from_db()
    customer.save()  # a full save writes the same document: the trigger's WHEN leaves the copy alone
    assert _version_of_copy(customer) == before


@on_postgres
def test_rows_the_bulk_loader_writes_with_replication_triggers_off_still_reach_the_copy(admin_user):
    from rapport.ops.seeding import seed_database

    seed_database(customers=40, seed=7, defer_indexes=True)  # COPY under session_replication_role = replica
    documents = dict(Customer.objects.values_list("pk", "search_document"))
    assert dict(CustomerSearch.objects.values_list("pk", "document")) == documents
    someone = Customer.objects.exclude(last_name="").order_by("pk").first()
    assert someone.display_name in _names(admin_user, someone.last_name)


@on_postgres
def test_emptying_the_customer_table_empties_the_copy():
    make_customer(first_name="Jerzy", last_name="Kamiński")
    with connection.cursor() as cursor:
        cursor.execute("SET CONSTRAINTS ALL IMMEDIATE")  # the new rows' deferred key checks run first
        cursor.execute("TRUNCATE customers_customer CASCADE")  # inside the test's transaction, rolled back
    assert not CustomerSearch.objects.exists()


def test_the_like_wildcards_a_user_types_match_only_themselves(admin_user):
    make_customer(first_name="Ola", last_name="Nowak", emails=["ola_nowak@example.pl"])
    make_customer(first_name="Ala", last_name="Nowak", emails=["alaxnowak@example.pl"])
    assert _names(admin_user, "a_nowak") == ["Ola Nowak"]
    assert _names(admin_user, "100%") == []
