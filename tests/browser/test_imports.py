"""An import in a real browser: upload a file, see its columns matched, import it as a job with a progress
bar, download the report of the rejected row, and roll the import back."""

import pytest

from rapport.customers.models import Customer
from tests.browser.conftest import PASSWORD, shot, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser

CSV = (
    "Customer ID;Imię;Nazwisko;Adres e-mail;Telefon;Kraj\n"
    "P-1;Zofia;Wiśniewska;zofia@example.pl;+48 601 234 567;PL\n"
    "P-2;Piotr;Zieliński;piotr@;+48 602 345 678;PL\n"
    "P-3;Anna;Lewandowska;anna@example.pl;;PL\n"
)


def test_import_a_polish_file_then_roll_it_back(page, team, settings, tmp_path):
    settings.VAR_DIR = tmp_path
    make_user(username="marta", role="agent", team=team, password=PASSWORD)
    path = tmp_path / "klienci.csv"
    path.write_bytes(CSV.encode("cp1250"))
    sign_in(page, "marta")
    page.goto("/imports/")
    page.get_by_label("What the file holds").select_option("customers")
    page.get_by_label("File (CSV or XLSX)").set_input_files(str(path))
    page.get_by_label("Source system").fill("sklep")
    page.get_by_role("button", name="Upload and check the columns").click()

    page.wait_for_selector(".mapping-table")
    assert page.locator("#col-2").input_value() == "last_name"  # "Nazwisko"
    assert "Wiśniewska" in page.locator(".mapping-table").inner_text()  # Windows-1250 read as such
    shot(page, "import-mapping")

    page.get_by_role("button", name="Import", exact=True).click()
    page.wait_for_selector("text=Completed", timeout=20_000)
    shot(page, "import-done")
    assert Customer.objects.filter(source="sklep").count() == 2

    with page.expect_download() as download:
        page.get_by_role("link", name="Download the rejected row (CSV)").click()
    assert "piotr@" in download.value.path().read_text(encoding="utf-8-sig")

    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Roll back this import").click()
    page.wait_for_selector("text=Rolled back")
    assert not Customer.objects.filter(source="sklep").exists()
    shot(page, "import-rolled-back")
