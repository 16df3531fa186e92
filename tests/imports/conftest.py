import pytest

from rapport.imports.services import import_rows

CUSTOMER_HEADERS = ["Customer ID", "First name", "Last name", "Email", "Phone", "Country", "City", "Birth date", "Tags"]


def customer_row(n: int, **overrides):
    row = {
        "Customer ID": f"C{n:04d}", "First name": f"Aminah{n}", "Last name": "Yusof", "Email": f"aminah{n}@example.com",
        "Phone": f"+60 12-345 {n:04d}", "Country": "MY", "City": "Kuala Lumpur", "Birth date": "1985-04-12",
        "Tags": "vip",
    }
    row.update(overrides)
    return [row[h] for h in CUSTOMER_HEADERS]


def run(entity, headers, rows, **kwargs):
    kwargs.setdefault("source", "shop")
    options = {k: kwargs.pop(k) for k in list(kwargs) if k in {
        "create_missing", "match_email", "match_phone", "strict", "region", "time_zone"}}
    return import_rows(entity=entity, headers=headers, rows=rows, options=options, **kwargs)


@pytest.fixture
def var_dir(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return tmp_path
