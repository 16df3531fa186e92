"""Features: the same person written in another script, format or case gives the same values."""

from __future__ import annotations

import pytest

from rapport.dedupe.features import e164, email_key, features, latin, phone_variants, skeleton


@pytest.mark.parametrize(("latin_name", "other_script"), [
    ("Rezaei", "رضایی"), ("Mohammad", "محمد"), ("Hosseini", "حسینی"), ("Ali", "علی"),
    ("Cohen", "כהן"), ("Yitzhak", "יצחק"), ("Baruch", "ברוך"), ("Omer", "עומר"),
    ("Kowalska", "Ковальская"), ("Szymański", "Шиманский"), ("Grzegorz", "Гжегож"), ("Wójcik", "Вуйцик"),
])
def test_a_name_and_its_transliteration_share_a_skeleton(latin_name, other_script):
    assert skeleton(latin_name) == skeleton(other_script)


def test_different_names_keep_different_skeletons():
    assert skeleton("Kowalska") != skeleton("Nowak")
    assert skeleton("Ali") != skeleton("Leila")


def test_latin_folds_diacritics_and_scripts():
    assert latin("Zieliński") == "zielinski"
    assert latin("Анна") == "anna"


@pytest.mark.parametrize("written", ["+60 12-345 6789", "012-345 6789", "0123456789", "0060123456789"])
def test_phones_written_any_way_have_one_e164_form(written):
    assert e164(written, "MY") == "+60123456789"


def test_a_phone_is_looked_up_in_every_stored_form():
    assert {"+60123456789", "60123456789", "0123456789"} <= set(phone_variants("+60 12-345 6789", "MY"))


def test_gmail_ignores_dots_and_tags_but_other_providers_keep_dots():
    assert email_key("anna.nowak+shop@gmail.com") == "annanowak@gmail.com"
    assert email_key("anna.nowak@wp.pl") == "anna.nowak@wp.pl"


def test_features_of_a_record():
    row = features({
        "unique_id": 7, "first_name": "Ahmad", "last_name": "bin Ismail", "emails": ["Ahmad.Ismail@Gmail.com"],
        "phones": ["012-345 6789"], "country": "MY", "birth_date": "1980-02-03", "postal_code": "50 450",
        "address_line": "12, Jalan Ampang",
    })
    assert row["ln"] == "ismail"  # the patronymic particle goes
    assert row["email"] == "ahmad.ismail@gmail.com"
    assert row["email_keys"] == ["ahmadismail@gmail.com"]
    assert row["phones"] == ["+60123456789"]
    assert row["dob"] == "1980-02-03"
    assert row["postcode"] == "50450"
    assert row["line"] == "12 jln ampang"


def test_an_organisation_is_compared_by_its_name():
    row = features({"unique_id": 1, "organisation_name": "Kedai Maju Sdn Bhd"})
    assert row["ln"] == "kedai maju sdn bhd"
    assert row["full"] == "kedai maju sdn bhd"
