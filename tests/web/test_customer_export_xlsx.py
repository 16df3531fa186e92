import datetime as dt
import io

import openpyxl
import pytest
from django.urls import reverse

from rapport.core.xlsxexport import CONTENT_TYPE
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

URL = reverse("web:customer-export-xlsx")


def _sheet(response):
    workbook = openpyxl.load_workbook(io.BytesIO(b"".join(response.streaming_content)))
    sheet = workbook.worksheets[0]
    return [[c.value for c in row] for row in sheet.iter_rows()], sheet


def test_an_agents_xlsx_holds_only_the_customers_they_may_see(client, agent, other_team):
    make_customer(owner=agent, first_name="Mine")
    make_customer(owner=make_user(role="agent", team=other_team), first_name="Theirs")
    client.force_login(agent)
    response = client.get(URL)
    assert response.status_code == 200
    assert response["Content-Type"] == CONTENT_TYPE
    assert 'filename="customers-' in response["Content-Disposition"]
    assert response["Content-Disposition"].endswith('.xlsx"')
    rows, _ = _sheet(response)
    assert rows[0][:3] == ["id", "name", "kind"]
    assert [r[1] for r in rows[1:]] == ["Mine Lovelace"]


def test_a_formula_looking_name_comes_back_as_text(client, agent):
    make_customer(owner=agent, first_name="=HYPERLINK(\"http://evil\",\"x\")", last_name="X")
    make_customer(owner=agent, first_name="+44 20", last_name="Y")
    client.force_login(agent)
    rows, sheet = _sheet(client.get(URL))
    names = sorted(r[1] for r in rows[1:])
    assert names == ["+44 20 Y", '=HYPERLINK("http://evil","x") X']
    assert all(row[1].data_type == "s" for row in sheet.iter_rows(min_row=2))


def test_cells_keep_their_types(client, agent):
    customer = make_customer(owner=agent, first_name="Typed")
    client.force_login(agent)
    rows, _ = _sheet(client.get(URL))
    row = rows[1]
    assert row[0] == customer.pk
    assert isinstance(row[9], int)  # relationship level
    assert isinstance(row[12], dt.datetime)  # created, as a real date-time
    assert row[10] == "agent"


def test_filters_apply_to_the_xlsx_as_to_the_list(client, agent):
    make_customer(owner=agent, first_name="Active", lifecycle_stage="active")
    make_customer(owner=agent, first_name="Prospect")
    client.force_login(agent)
    rows, _ = _sheet(client.get(URL, {"stage": "active"}))
    assert [r[1] for r in rows[1:]] == ["Active Lovelace"]


def test_an_empty_view_gives_a_workbook_with_its_header(client, agent):
    client.force_login(agent)
    rows, _ = _sheet(client.get(URL, {"stage": "active"}))
    assert len(rows) == 1 and rows[0][1] == "name"


def test_the_list_page_offers_both_exports_on_the_current_filters(client, agent):
    client.force_login(agent)
    response = client.get(reverse("web:customer-list"), {"stage": "active"})
    assert b'id="export-xlsx-link"' in response.content
    assert reverse("web:customer-export-xlsx").encode() + b"?stage=active" in response.content


def test_signed_out_people_get_no_export(client):
    response = client.get(URL)
    assert response.status_code == 302
