import pytest

from tests.browser.conftest import PASSWORD, shot, sign_in
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def amira(team):
    user = make_user(username="amira", role="agent", team=team, password=PASSWORD)
    make_customer(owner=user, first_name="Magdalena", last_name="Wiśniewska", emails=["magda@example.pl"])
    make_customer(owner=user, first_name="Rina", last_name="Hartono")
    return user


def test_typing_part_of_a_name_finds_the_customer_and_opens_the_360(page, amira):
    sign_in(page, "amira")
    page.get_by_role("link", name="Customers").first.click()
    page.get_by_label("Search name, e-mail, phone or external id").fill("niews")
    rows = page.locator("#customer-rows tr")
    rows.filter(has_text="Hartono").first.wait_for(state="detached")
    assert rows.count() == 1 and "Wiśniewska" in rows.first.inner_text()
    assert "q=niews" in page.url  # the search is in the address, so it survives a reload and can be shared
    shot(page, "customer-list-search")
    page.get_by_role("link", name="Magdalena Wiśniewska").click()
    page.wait_for_url("**/customers/*/")
    assert "Magdalena Wiśniewska" in page.content()


def test_ctrl_k_jumps_to_a_customer(page, amira):
    sign_in(page, "amira")
    page.keyboard.press("Control+k")
    box = page.get_by_role("combobox")
    box.wait_for()
    box.fill("harto")
    page.locator("#palette-results a", has_text="Rina Hartono").wait_for()
    shot(page, "command-palette")
    page.keyboard.press("ArrowDown")
    page.keyboard.press("Enter")
    page.wait_for_url("**/customers/*/")


def test_the_list_works_at_phone_width(phone_page, amira):
    sign_in(phone_page, "amira")
    phone_page.goto("/customers/")
    assert phone_page.get_by_role("link", name="Rina Hartono").is_visible()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways at phone width ({width}px)"
    shot(phone_page, "customer-list-phone")
