# ruff: noqa: RUF001  (Persian and Hebrew words and digits on purpose)
"""Columns map to fields by their header in six languages; the user's mapping and the saved one win."""

import pytest

from rapport.imports import registry
from rapport.imports.headers import MappingError, apply_overrides, auto_map, check_mapping, parse_map_options

CUSTOMERS = registry.get("customers")


@pytest.mark.parametrize(("language", "headers"), [
    ("en", ["Customer ID", "First name", "Last name", "E-mail", "Phone", "Country", "City", "Birth date", "Tags"]),
    ("ms", ["ID Pelanggan", "Nama depan", "Nama keluarga", "E-mel", "Nombor telefon", "Negara", "Bandar",
            "Tarikh lahir", "Teg"]),
    ("id", ["Nomor pelanggan", "Nama depan", "Nama belakang", "Surel", "Nomor telepon", "Negara", "Kota",
            "Tanggal lahir", "Label"]),
    ("pl", ["Numer klienta", "Imię", "Nazwisko", "Adres e-mail", "Telefon", "Kraj", "Miasto", "Data urodzenia",
            "Tagi"]),
    ("fa", ["کد مشتری", "نام", "نام خانوادگی", "ایمیل", "شماره تلفن", "کشور", "شهر", "تاریخ تولد", "برچسب‌ها"]),
    ("he", ["מספר לקוח", "שם פרטי", "שם משפחה", 'דוא"ל', "טלפון", "מדינה", "עיר", "תאריך לידה", "תגיות"]),
])
def test_customer_headers_map_by_themselves_in_each_language(language, headers):
    mapping = auto_map(CUSTOMERS, headers)
    assert list(mapping.values()) == ["external_id", "first_name", "last_name", "email", "phone", "country", "city",
                                      "birth_date", "tags"], language


@pytest.mark.parametrize("header", ["Email", "E-mail", "EMAIL", "e-mel", "Adres e-mail", "ایمیل", 'דוא"ל',
                                    "email address", " E-Mail "])
def test_email_synonyms(header):
    assert auto_map(CUSTOMERS, [header]) == {header: "email"}


@pytest.mark.parametrize(("entity", "header", "field"), [
    ("orders", "Order number", "external_id"), ("orders", "Numer zamówienia", "external_id"),
    ("orders", "شماره سفارش", "external_id"), ("orders", "Customer", "customer"), ("orders", "Pelanggan", "customer"),
    ("orders", "Order date", "placed_at"), ("orders", "Waluta", "currency"), ("orders", "Qty", "quantity"),
    ("orders", "Unit price", "unit_price"), ("orders", "SKU", "sku"), ("orders", 'מק"ט', "sku"),
    ("products", "Nazwa produktu", "name"), ("products", "Harga", "price"), ("products", "Active", "is_active"),
    ("interactions", "Date", "occurred_at"), ("interactions", "Kanał", "channel"), ("interactions", "نوشته", ""),
    ("interactions", "Subjek", "subject"), ("contacts", "Stanowisko", "job_title"),
    ("contacts", "Company", "organisation"),
])
def test_other_entities_headers(entity, header, field):
    assert auto_map(registry.get(entity), [header]) == {header: field}


def test_a_field_is_fed_by_the_first_matching_column_only():
    assert auto_map(CUSTOMERS, ["Email", "E-mail", "Notes"]) == {"Email": "email", "E-mail": "", "Notes": ""}


def test_the_saved_mapping_wins_over_the_synonyms():
    saved = {"Mail": "email", "Email": ""}
    assert auto_map(CUSTOMERS, ["Email", "Mail"], saved) == {"Email": "", "Mail": "email"}


def test_the_users_map_wins_and_moves_the_field():
    headers = ["Email", "Work mail"]
    mapping = apply_overrides(CUSTOMERS, headers, auto_map(CUSTOMERS, headers), parse_map_options(["work MAIL=email"]))
    assert mapping == {"Email": "", "Work mail": "email"}
    assert apply_overrides(CUSTOMERS, headers, mapping, {"Work mail": ""}) == {"Email": "", "Work mail": ""}


def test_map_options_name_what_is_wrong():
    with pytest.raises(MappingError, match="--map takes"):
        parse_map_options(["no equals sign"])
    with pytest.raises(MappingError, match='the file has no column "Mobile"'):
        apply_overrides(CUSTOMERS, ["Email"], {"Email": "email"}, {"Mobile": "phone"})
    with pytest.raises(MappingError, match='customers have no field "mobile"'):
        apply_overrides(CUSTOMERS, ["Mobile"], {"Mobile": ""}, {"Mobile": "mobile"})


def test_a_mapping_without_identity_or_name_is_refused():
    with pytest.raises(MappingError, match="identifies the customers"):
        check_mapping(CUSTOMERS, {"First name": "first_name"}, {})
    check_mapping(CUSTOMERS, {"First name": "first_name", "Email": "email"}, {"match_email": True})
    check_mapping(CUSTOMERS, {"ID": "external_id", "City": "city"}, {})  # an update of known customers
    with pytest.raises(MappingError, match="required field currency"):
        check_mapping(registry.get("orders"), {"a": "external_id", "b": "customer", "c": "placed_at", "d": "total"}, {})


def test_every_entity_is_registered_with_distinct_synonyms():
    assert registry.entity_names() == ["contacts", "customers", "interactions", "orders", "products"]
    for entity in registry.entities():
        for spec in entity.fields:
            # Each field can be reached by its own name and its English label at least.
            assert auto_map(entity, [spec.name]) == {spec.name: spec.name}
