"""Customers: identity by (source, external id), then e-mail or phone when asked; people and organisations."""

import pytest

from rapport.customers.models import ContactPoint, Customer, ExternalIdentifier
from rapport.customers.services import Identifier, customer_create
from tests.factories import make_user
from tests.imports.conftest import CUSTOMER_HEADERS, customer_row, run

pytestmark = pytest.mark.django_db


def test_the_same_external_id_in_another_source_is_another_customer(var_dir):
    run("customers", CUSTOMER_HEADERS, [customer_row(1)], source="shop")
    out = run("customers", CUSTOMER_HEADERS, [customer_row(1)], source="crm")
    assert out.counts["created"] == 1 and Customer.objects.count() == 2


def test_match_by_email_adds_the_external_id_to_the_customer_found(var_dir):
    known = customer_create(first_name="Aminah", last_name="Yusof", emails=["Aminah1@Example.com"])
    out = run("customers", CUSTOMER_HEADERS, [customer_row(1, City="Ipoh")], match_email=True)
    assert dict(out.counts) == {"created": 0, "updated": 1, "unchanged": 0, "rejected": 0}
    known.refresh_from_db()
    assert known.city == "Ipoh" and known.identifiers.get().external_id == "C0001"
    assert known.contact_points.filter(kind="phone", is_primary=True).count() == 1
    # Without --match-email the same row makes another customer.
    run("customers", CUSTOMER_HEADERS, [customer_row(2, Email="aminah1@example.com")])
    assert Customer.objects.count() == 2


def test_match_by_phone_in_any_format(var_dir):
    known = customer_create(first_name="Hafiz", last_name="Osman", phones=["+60123450001"])
    headers = ["First name", "Last name", "Phone", "Country"]
    out = run("customers", headers, [["Hafiz", "bin Osman", "012-345 0001", "MY"]], match_phone=True)
    assert out.counts["updated"] == 1
    known.refresh_from_db()
    assert known.last_name == "bin Osman" and known.display_name == "Hafiz bin Osman"


def test_rows_without_identity_are_rejected_row_by_row(var_dir):
    headers = ["Customer ID", "First name", "Email"]
    out = run("customers", headers, [["", "Ada", "ada@example.com"], ["C1", "Bo", ""]])
    assert out.counts["rejected"] == 1 and "recognise the customer" in out.first_errors[0]


def test_repeated_rows_of_one_customer_fold_in_file_order(var_dir):
    rows = [customer_row(1), customer_row(1, City="Ipoh", Tags="b2b"), customer_row(1, City="Penang")]
    out = run("customers", CUSTOMER_HEADERS, rows)
    assert dict(out.counts) == {"created": 1, "updated": 2, "unchanged": 0, "rejected": 0}
    customer = Customer.objects.get()
    assert customer.city == "Penang" and {t.name for t in customer.tags.all()} == {"vip", "b2b"}
    assert ExternalIdentifier.objects.count() == 1 and ContactPoint.objects.count() == 2


def test_empty_cells_leave_the_stored_values_alone(var_dir):
    run("customers", CUSTOMER_HEADERS, [customer_row(1)])
    out = run("customers", ["Customer ID", "City", "Email"], [["C0001", "", ""]])
    assert out.counts["unchanged"] == 1
    customer = Customer.objects.get()
    assert customer.city == "Kuala Lumpur" and customer.primary_email == "aminah1@example.com"


def test_organisations_are_recognised_by_their_name(var_dir):
    headers = ["ID", "Company", "Email", "Type"]
    out = run("customers", headers, [["O1", "Syarikat Maju Sdn Bhd", "info@maju.my", ""],
                                     ["O2", "", "x@y.com", "organisation"],
                                     ["P1", "Acme", "", "osoba"]])
    assert out.counts["created"] == 1 and out.counts["rejected"] == 2
    maju = Customer.objects.get(organisation_name="Syarikat Maju Sdn Bhd")
    assert maju.kind == "organisation" and maju.display_name == "Syarikat Maju Sdn Bhd"
    assert any("organisation needs a name" in e for e in out.first_errors)
    assert any("person needs a first or a last name" in e for e in out.first_errors)


def test_the_owner_column_assigns_an_account_manager(var_dir, team):
    agent = make_user(role="agent", team=team, username="siti")
    headers = ["ID", "First name", "Owner"]
    out = run("customers", headers, [["C1", "Ada", "siti"], ["C2", "Bo", "nobody"]])
    assert out.counts["rejected"] == 1 and 'there is no active user "nobody"' in out.first_errors[0]
    customer = Customer.objects.get()
    assert customer.owner == agent and customer.team == team


def test_an_agent_imports_as_owner_and_cannot_touch_customers_they_may_not_see(var_dir, agent, manager):
    hidden = customer_create(first_name="Not", last_name="Yours", identifiers=[Identifier("shop", "C0001")])
    out = run("customers", CUSTOMER_HEADERS, [customer_row(1), customer_row(2)], user=agent)
    assert dict(out.counts) == {"created": 1, "updated": 0, "unchanged": 0, "rejected": 1}
    assert "belongs to a record you may not change" in out.first_errors[0]
    hidden.refresh_from_db()
    assert hidden.first_name == "Not"
    mine = Customer.objects.get(identifiers__external_id="C0002")
    assert mine.owner == agent and mine.team == agent.team
    assert out.batch.user == agent


def test_a_read_only_user_may_not_import(var_dir, team):
    reader = make_user(role="read_only", team=team)
    with pytest.raises(Exception, match="may not import"):
        run("customers", CUSTOMER_HEADERS, [customer_row(1)], user=reader)


@pytest.mark.parametrize(("headers", "row"), [
    (["Nomor pelanggan", "Nama depan", "Nama belakang", "Surel", "Nomor telepon", "Negara", "Tanggal lahir"],
     ["ID1", "Dewi", "Kusuma", "dewi@contoh.co.id", "0812-3456-7890", "Indonesia", "17/08/1990"]),
    (["Numer klienta", "Imię", "Nazwisko", "Adres e-mail", "Telefon", "Kraj", "Data urodzenia"],
     ["PL1", "Łukasz", "Wiśniewski", "lukasz@przyklad.pl", "512 345 678", "Polska", "03.05.1985"]),
    (["کد مشتری", "نام", "نام خانوادگی", "ایمیل", "شماره تلفن", "کشور", "تاریخ تولد"],
     ["IR1", "مریم", "کریمی", "maryam@example.ir", "۰۹۱۲ ۳۴۵ ۶۷۸۹", "ایران", "1990-01-31"]),
    (["מספר לקוח", "שם פרטי", "שם משפחה", 'דוא"ל', "טלפון", "מדינה", "תאריך לידה"],
     ["IL1", "נועה", "כהן", "noa@example.co.il", "052-345-6789", "ישראל", "31/12/1988"]),
    (["ID Pelanggan", "Nama depan", "Nama keluarga", "E-mel", "Nombor telefon", "Negara", "Tarikh lahir"],
     ["MY1", "Nurul", "binti Ahmad", "nurul@contoh.my", "012-345 6789", "Malaysia", "1992/02/29"]),
])
def test_files_in_each_language_import_by_their_headers(var_dir, headers, row):
    out = run("customers", headers, [row])
    assert out.counts["created"] == 1, out.first_errors
    customer = Customer.objects.get()
    assert customer.first_name == row[1] and customer.birth_date is not None
    assert customer.primary_phone == row[4] and customer.contact_points.get(kind="phone").normalized.startswith("+")


def test_a_search_text_in_another_format_alone_is_not_a_change(var_dir):
    run("customers", CUSTOMER_HEADERS, [customer_row(1)])
    Customer.objects.update(search_document="written by an older version")
    out = run("customers", CUSTOMER_HEADERS, [customer_row(1)])
    assert out.counts["unchanged"] == 1
    customer = Customer.objects.get()
    assert customer.version == 1 and customer.search_document == "written by an older version"
    run("customers", CUSTOMER_HEADERS, [customer_row(1, City="Ipoh")])
    customer.refresh_from_db()
    assert customer.version == 2 and "aminah1@example.com" in customer.search_document
