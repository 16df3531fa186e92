import pytest

from rapport.accounts.services import user_update_preferences
from tests.browser.conftest import PASSWORD, shot, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


def test_a_user_signs_in_and_out(page, team):
    make_user(username="amira", role="agent", team=team, password=PASSWORD)
    sign_in(page, "amira")
    assert page.locator("html").get_attribute("dir") == "ltr"
    shot(page, "home-en")
    page.locator("#user-menu").click()
    page.get_by_role("button", name="Sign out").click()
    page.wait_for_url("**/login/**")


def test_the_login_page_follows_the_browser_language(browser, live_server, transactional_db):
    context = browser.new_context(base_url=live_server.url, locale="he-IL")
    page = context.new_page()
    page.goto("/login/")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "he"
    shot(page, "login-he")
    context.close()


def test_a_hebrew_speaker_sees_the_page_right_to_left(page, team):
    user = make_user(username="noa", role="agent", team=team, password=PASSWORD)
    user_update_preferences(user=user, language="he")
    sign_in(page, "noa")
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert "bootstrap.rtl" in page.locator("link[rel=stylesheet]").first.get_attribute("href")
    shot(page, "home-he")
