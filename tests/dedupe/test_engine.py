"""The engine on hand-made records (too few to train: the default parameters score them)."""

from __future__ import annotations

import pyarrow as pa

from rapport.dedupe.engine import find_duplicates
from rapport.dedupe.extract import INPUT_SCHEMA


def _levels(result, a, b):
    pair = next((p for p in result.pairs if (p.id_l, p.id_r) == (a, b)), None)
    return None if pair is None else {e.level for e in pair.evidence}


def _people(*extra):
    base = [
        {"unique_id": 1, "first_name": "Anna", "last_name": "Kowalska", "emails": ["anna.k@wp.pl"],
         "phones": ["+48 601 234 567"], "country": "PL", "birth_date": "1984-05-07"},
        {"unique_id": 2, "first_name": "John", "last_name": "Smith", "emails": ["john.smith@outlook.com"],
         "phones": ["07700 900123"], "country": "GB", "birth_date": "1970-01-30"},
        {"unique_id": 3, "first_name": "Siti", "last_name": "binti Rahman", "emails": [], "phones": ["012-345 6789"],
         "country": "MY", "city": "Ipoh", "postal_code": "30450", "address_line": "12, Jalan Sultan Ismail"},
    ]
    return base + list(extra)


def test_transliterated_names_are_found():
    records = _people(
        {"unique_id": 10, "first_name": "Mohammad", "last_name": "Rezaei", "birth_date": "1979-03-21",
         "country": "IR"},
        {"unique_id": 11, "first_name": "محمد", "last_name": "رضایی", "birth_date": "1979-03-21", "country": "IR"},
        {"unique_id": 12, "first_name": "Ковальская", "last_name": "Анна", "emails": ["Anna.K@wp.pl"]},
    )
    result = find_duplicates(records)
    assert "name_sounds_alike" in _levels(result, 10, 11)
    assert {"name_sounds_alike", "email_exact"} <= _levels(result, 1, 12)  # swapped and in Cyrillic


def test_swapped_names_and_reformatted_phones_are_found():
    records = _people(
        {"unique_id": 20, "first_name": "Rahman", "last_name": "Siti", "phones": ["+60 12-345 6789"],
         "country": ""},
    )
    result = find_duplicates(records, default_region="MY")
    levels = _levels(result, 3, 20)
    assert {"name_swapped", "phone_exact"} <= levels  # "bin"/"binti" are not part of the compared name


def test_a_typo_and_a_transposed_birth_date_are_found():
    records = _people(
        {"unique_id": 30, "first_name": "John", "last_name": "Smitg", "birth_date": "1970-01-30",
         "emails": ["JOHN.SMITH@outlook.com"]},
        {"unique_id": 31, "first_name": "Anna", "last_name": "Kowalska", "birth_date": "1984-07-05",
         "phones": ["601234567"], "country": "PL"},
    )
    result = find_duplicates(records)
    assert {"name_typo", "dob_exact", "email_exact"} <= _levels(result, 2, 30)
    assert {"name_exact", "dob_day_month_swapped", "phone_exact"} <= _levels(result, 1, 31)


def test_household_members_and_namesakes_are_not_proposed():
    records = _people(
        # The same surname, address and home phone, another first name and birth date.
        {"unique_id": 40, "first_name": "Aminah", "last_name": "binti Rahman", "phones": ["0123456789"],
         "country": "MY", "city": "Ipoh", "postal_code": "30450", "address_line": "12 Jln Sultan Ismail",
         "birth_date": "1990-06-01"},
        # The same name, nothing else in common.
        {"unique_id": 41, "first_name": "John", "last_name": "Smith", "emails": ["jsmith@gmail.com"],
         "phones": ["07700 900999"], "country": "GB", "birth_date": "1991-08-12"},
    )
    result = find_duplicates(records)
    found = {(p.id_l, p.id_r) for p in result.pairs}
    assert (3, 40) not in found
    assert (2, 41) not in found


def test_the_household_rule_explains_a_capped_pair():
    records = _people(
        {"unique_id": 40, "first_name": "Aminah", "last_name": "binti Rahman", "phones": ["0123456789"],
         "country": "MY", "city": "Ipoh", "postal_code": "30450", "address_line": "12 Jln Sultan Ismail"},
    )
    result = find_duplicates(records, threshold=0.1)
    pair = next(p for p in result.pairs if (p.id_l, p.id_r) == (3, 40))
    assert pair.match_probability <= 0.5
    assert "household_rule" in {e.level for e in pair.evidence}


def test_it_takes_an_arrow_table_and_returns_ordered_ids():
    rows = [
        {"unique_id": 9, "first_name": "Dewi", "last_name": "Lestari", "emails": ["dewi.l@yahoo.co.id"],
         "phones": [], "country": "ID", "city": "", "postal_code": "", "address_line": "",
         "organisation_name": "", "birth_date": None},
        {"unique_id": 4, "first_name": "Dewi", "last_name": "Lestari", "emails": ["dewi.l@yahoo.co.id"],
         "phones": [], "country": "ID", "city": "", "postal_code": "", "address_line": "",
         "organisation_name": "", "birth_date": None},
    ]
    result = find_duplicates(pa.Table.from_pylist(rows, schema=INPUT_SCHEMA))
    assert [(p.id_l, p.id_r) for p in result.pairs] == [(4, 9)]
    assert result.records == 2
    assert not result.parameters.trained


def test_fewer_than_two_records_find_nothing():
    assert find_duplicates([{"unique_id": 1, "first_name": "A"}]).pairs == []


def test_the_engine_runs_without_django():
    import subprocess
    import sys

    code = (
        "import sys; import rapport.dedupe.engine, rapport.dedupe.evaluation; "
        "assert not [m for m in sys.modules if m == 'django' or m.startswith('django.')], 'django imported'"
    )
    subprocess.run([sys.executable, "-c", code], check=True, env={"PYTHONPATH": "src"}, cwd=".")
