# ruff: noqa: RUF001  (Persian and Hebrew words and digits on purpose)
"""Cell parsers: what people write in spreadsheets, read right or refused with the value named."""

from datetime import UTC, date, datetime
from decimal import Decimal

import pytest

from rapport.imports import fields as f
from rapport.imports.fields import FieldError, ParseOptions

OPTIONS = ParseOptions()


def parse(parser, value, row=None, options=OPTIONS):
    return parser(value, row or {}, options)


@pytest.mark.parametrize("value", ["2024-03-31", "31/03/2024", "31.03.2024", "2024/03/31", "31-03-2024",
                                   "20240331", "45382", 45382, 45382.0, datetime(2024, 3, 31, 10, 5),
                                   date(2024, 3, 31), "۲۰۲۴-۰۳-۳۱", "2024-03-31T08:00:00"])
def test_dates_are_read_in_common_formats(value):
    assert parse(f.any_date, value) == date(2024, 3, 31)


@pytest.mark.parametrize("value", ["31/02/1990", "yesterday", "2024-13-01", "0", "99999999999"])
def test_a_bad_date_is_refused_with_the_value(value):
    with pytest.raises(FieldError, match="is not a date"):
        parse(f.any_date, value)


def test_a_birth_date_must_be_plausible():
    assert parse(f.birth_date, "12/04/1985") == date(1985, 4, 12)
    with pytest.raises(FieldError, match="plausible"):
        parse(f.birth_date, "2999-01-01")
    with pytest.raises(FieldError, match="plausible"):
        parse(f.birth_date, "1370-05-12")  # a Persian calendar year typed as a Gregorian one


def test_datetimes_without_a_zone_are_read_in_the_import_zone():
    assert parse(f.any_datetime, "2024-03-31 14:05") == datetime(2024, 3, 31, 14, 5, tzinfo=UTC)
    kl = ParseOptions(time_zone="Asia/Kuala_Lumpur")
    assert parse(f.any_datetime, "31/03/2024 14:05", options=kl) == datetime(2024, 3, 31, 6, 5, tzinfo=UTC)
    assert parse(f.any_datetime, "2024-03-31T14:05:00+02:00") == datetime(2024, 3, 31, 12, 5, tzinfo=UTC)
    assert parse(f.any_datetime, "2024-03-31T14:05:00Z") == datetime(2024, 3, 31, 14, 5, tzinfo=UTC)
    assert parse(f.any_datetime, "2024-03-31") == datetime(2024, 3, 31, tzinfo=UTC)
    assert parse(f.any_datetime, 45382.5) == datetime(2024, 3, 31, 12, tzinfo=UTC)
    with pytest.raises(FieldError, match="date and time"):
        parse(f.any_datetime, "31/03/2024 25:99")


@pytest.mark.parametrize(("value", "expected"), [
    ("1 234,50", "1234.50"), ("1,234.50", "1234.50"), ("1.234,50", "1234.50"), ("1234.5", "1234.50"),
    ("12", "12.00"), ("12,5", "12.50"), ("1,234", "1234.00"), ("1.234.567", "1234567.00"), ("1\u00a0234,50", "1234.50"),
    ("1'234.50", "1234.50"), (12.5, "12.50"), (7, "7.00"), ("۱۲۳٫۵", "123.50"),
])
def test_amounts_are_read_as_decimal_whatever_the_separators(value, expected):
    assert parse(f.amount, value) == Decimal(expected)


@pytest.mark.parametrize(("value", "reason"), [
    ("12,34,5x", "not an amount"), ("abc", "not an amount"), ("-5", "negative"), ("12.345", "two decimal"),
    ("1e15", "not an amount"), ("9999999999999", "too large"), ("NaN", "not an amount"),
])
def test_a_bad_amount_is_refused(value, reason):
    with pytest.raises(FieldError, match=reason):
        parse(f.amount, value)


def test_currencies_are_iso_codes():
    assert parse(f.currency, "myr") == "MYR"
    with pytest.raises(FieldError, match="ISO 4217"):
        parse(f.currency, "RMX")


def test_emails_keep_their_text_and_match_in_lower_case():
    assert parse(f.email, " Bob@Example.COM ") == ("Bob@Example.COM", "bob@example.com")
    with pytest.raises(FieldError, match='"bob@" is not an e-mail address'):
        parse(f.email, "bob@")


def test_phones_keep_their_text_and_get_their_e164_form():
    assert parse(f.phone, " +60 12-345 6789 ") == ("+60 12-345 6789", "+60123456789")
    # A national number is read in the row's country, or else the import's region.
    assert parse(f.phone, "012-345 6789", {"country": "MY"}) == ("012-345 6789", "+60123456789")
    assert parse(f.phone, "512 345 678", options=ParseOptions(region="PL")) == ("512 345 678", "+48512345678")
    assert parse(f.phone, "۰۹۱۲ ۳۴۵ ۶۷۸۹", {"country": "IR"})[1] == "+989123456789"
    with pytest.raises(FieldError, match="country code"):
        parse(f.phone, "012-345 6789")
    with pytest.raises(FieldError, match='"12-34" is not a phone number'):
        parse(f.phone, "12-34", {"country": "MY"})


@pytest.mark.parametrize(("value", "code"), [
    ("MY", "MY"), ("my", "MY"), ("Malaysia", "MY"), ("Polska", "PL"), ("Poland", "PL"), ("ایران", "IR"),
    ("ישראל", "IL"), ("Indonesia", "ID"), ("United Kingdom", "GB"), ("UK", "GB"), ("Niemcy", "DE"),
])
def test_countries_are_read_from_codes_and_names_in_six_languages(value, code):
    assert parse(f.country, value) == code


def test_an_unknown_country_is_refused():
    with pytest.raises(FieldError, match='"Atlantis" is not a country'):
        parse(f.country, "Atlantis")


@pytest.mark.parametrize(("value", "code"), [
    ("en", "en"), ("pl-PL", "pl"), ("Polski", "pl"), ("Bahasa Melayu", "ms"), ("فارسی", "fa"), ("עברית", "he"),
    ("English", "en"), ("Malay", "ms"),
])
def test_languages_are_read_from_codes_and_names(value, code):
    assert parse(f.language, value) == code


def test_booleans_in_six_languages_and_tak_is_not_guessed():
    for word in ("yes", "Ya", "כן", "بله", "1", True):
        assert parse(f.boolean, word) is True
    for word in ("no", "nie", "tidak", "לא", "خیر", "0", False):
        assert parse(f.boolean, word) is False
    with pytest.raises(FieldError):
        parse(f.boolean, "tak")  # "yes" in Polish, "no" in Malay


def test_choices_accept_values_labels_and_synonyms():
    from rapport.commerce.choices import OrderStatus

    status = f.choice(OrderStatus, {OrderStatus.COMPLETED: ["delivered"]})
    assert parse(status, "Shipped") == "shipped"
    assert parse(status, "DELIVERED") == "completed"
    with pytest.raises(FieldError, match="is not one of: placed, paid"):
        parse(status, "lost in the post")


def test_tags_split_on_commas_semicolons_and_bars():
    assert parse(f.tags, "vip; b2b | newsletter,vip") == ("vip", "b2b", "newsletter")


def test_text_longer_than_the_column_is_refused():
    with pytest.raises(FieldError, match="longer than 5 characters"):
        parse(f.text(5), "abcdefg")


def test_normalise_ignores_case_spaces_punctuation_and_diacritics():
    assert f.normalise("Adres e-mail") == f.normalise("ADRES EMAIL") == "adresemail"
    assert f.normalise("Imię") == "imie" and f.normalise("Miejscowość") == "miejscowosc"
    assert f.normalise('דוא"ל') == f.normalise("דוא״ל") == "דואל"
    assert f.normalise("نام\u200cخانوادگی") == f.normalise("نام خانوادگی")
    assert f.normalise("شماره تلفن") == f.normalise("شماره تلفن".replace("ی", "ي"))
