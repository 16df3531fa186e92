"""The customer 360 page in a real browser: quick actions land on the timeline without a reload, and a
stale profile edit keeps what was typed."""

from __future__ import annotations

from datetime import timedelta
from decimal import Decimal

import pytest
from django.utils import timezone

from rapport.commerce.services import order_create
from rapport.customers.models import Customer
from rapport.customers.services import customer_add_tags, customer_create, customer_update
from rapport.interactions.models import Task
from rapport.interactions.services import interaction_log, note_add
from tests.browser.conftest import PASSWORD, settled, shot, sign_in
from tests.factories import make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def account(team):
    user = make_user(username="amira", role="agent", team=team, password=PASSWORD, first_name="Amira")
    customer = customer_create(
        first_name="Siti", last_name="Rahman", emails=["siti@example.com"], phones=["+60 12-345 6789"],
        owner=user, team=team, lifecycle_stage="active", relationship_level=3, city="Kuala Lumpur", country="MY",
    )
    customer_add_tags(customer=customer, names=["vip", "newsletter"])
    base = timezone.now() - timedelta(days=5)
    interaction_log(customer=customer, channel="email", direction="outbound", subject="Sent the brochure",
                    body="PDF with the new rates", occurred_at=base, user=user)
    order_create(customer=customer, currency="MYR", total=Decimal("1234.50"), external_id="SO-1001",
                 placed_at=base + timedelta(days=1))
    note_add(customer=customer, body="Prefers calls after 5 pm", author=user)
    return user, customer


def _open(page, customer):
    page.goto(f"/customers/{customer.pk}/")
    page.locator("#orders-panel table, #orders-panel p").first.wait_for()
    # A marker that a full reload would wipe: the tests check it survives each action.
    page.evaluate("window.__stillHere = true")


def test_a_call_is_logged_and_appears_on_top_without_a_reload(page, account):
    _user, customer = account
    sign_in(page, "amira")
    _open(page, customer)
    assert page.locator("h1").inner_text() == "Siti Rahman"
    assert page.locator("#customer-email").get_attribute("dir") == "ltr"
    page.locator("#orders-panel").get_by_text("SO-1001").wait_for()
    shot(page, "customer-360")

    page.get_by_label("Channel").select_option("phone")
    page.get_by_label("Direction").select_option("inbound")
    page.get_by_label("Subject").fill("Asked about the renewal price")
    page.get_by_label("What was said").fill("Will decide by Friday")
    page.get_by_role("button", name="Log it").click()

    # The blank form comes back with the keyboard on its first field, ready for the next call.
    page.wait_for_function("document.activeElement && document.activeElement.id === 'id_touch-channel'")
    first = page.locator("#timeline-items > li").first
    first.get_by_text("Asked about the renewal price").wait_for()
    assert page.get_by_label("Subject").input_value() == ""
    page.locator("#toasts").get_by_text("Phone logged.").wait_for()
    assert page.evaluate("window.__stillHere") is True
    shot(page, "customer-360-call-logged")


def test_a_task_is_created_from_the_quick_action(page, account):
    user, customer = account
    sign_in(page, "amira")
    _open(page, customer)
    page.get_by_role("tab", name="Create a task").click()
    page.get_by_label("Task title").fill("Send the renewal offer")
    page.get_by_label("Due date").fill("2031-03-04")
    assert page.get_by_label("Assignee").locator("option:checked").inner_text() == "Amira"
    page.get_by_role("button", name="Create task").click()
    page.locator("#timeline-items > li").first.get_by_text("Send the renewal offer").wait_for()
    page.locator("#toasts").get_by_text("Task created.").wait_for()
    assert page.evaluate("window.__stillHere") is True
    task = Task.objects.get()
    assert task.assignee == user and task.customer == customer
    shot(page, "customer-360-task")


def test_a_quick_action_with_an_error_keeps_the_input_and_says_why(page, account):
    _user, customer = account
    sign_in(page, "amira")
    _open(page, customer)
    page.get_by_role("tab", name="Create a task").click()
    page.get_by_label("Due date").fill("2031-03-04")
    page.get_by_role("button", name="Create task").click()
    page.locator("#id_task-title_error").wait_for()
    assert page.get_by_label("Due date").input_value() == "2031-03-04"
    assert not Task.objects.exists()


def test_a_stale_profile_edit_shows_the_message_and_keeps_what_was_typed(page, account, manager):
    _user, customer = account
    sign_in(page, "amira")
    _open(page, customer)
    page.get_by_role("button", name="Edit profile").click()
    city = page.get_by_label("City")
    city.wait_for()
    settled(page)
    city.fill("Kuching")
    # Someone else saves the customer while the form is open.
    customer_update(customer=Customer.objects.get(pk=customer.pk), data={"city": "Penang"}, by=manager)
    page.get_by_role("button", name="Save").click()
    page.locator("#profile-form").get_by_text("Someone else changed this customer").wait_for()
    page.locator("#toasts").get_by_text("Not saved: someone else changed this customer.").wait_for()
    assert page.get_by_label("City").input_value() == "Kuching"
    assert Customer.objects.get(pk=customer.pk).city == "Penang"
    shot(page, "customer-360-stale-edit")


def test_the_profile_is_edited_in_place(page, account):
    _user, customer = account
    sign_in(page, "amira")
    _open(page, customer)
    page.get_by_role("button", name="Edit profile").click()
    page.get_by_label("Lifecycle stage").wait_for()
    settled(page)
    page.get_by_label("Lifecycle stage").select_option("at_risk")
    page.get_by_label("Reason for a stage change").fill("No order for 90 days")
    page.get_by_role("button", name="Save").click()
    page.locator("#profile-stage").get_by_text("At risk").wait_for()
    page.locator("#customer-badges").get_by_text("At risk").wait_for()
    assert page.get_by_role("button", name="Edit profile").is_visible()
    assert page.evaluate("window.__stillHere") is True


def test_consent_loads_on_its_tab_and_changes_with_a_reason(page, account):
    _user, customer = account
    sign_in(page, "amira")
    _open(page, customer)
    page.get_by_role("tab", name="Consent").click()
    sms = page.locator("#consent-sms")
    sms.get_by_text("Change SMS consent").click()
    sms.get_by_label("Status").select_option("withdrawn")
    sms.get_by_role("button", name="Save SMS consent").click()
    page.locator("#id_consent-sms-reason_error").wait_for()
    page.locator("#consent-sms").get_by_label("Reason").fill("Asked to stop")
    page.locator("#consent-sms").get_by_role("button", name="Save SMS consent").click()
    page.locator("#consent-sms").get_by_text("Asked to stop").wait_for()
    shot(page, "customer-360-consent")


def test_the_page_stacks_on_a_phone(phone_page, account):
    _user, customer = account
    sign_in(phone_page, "amira")
    _open(phone_page, customer)
    phone_page.locator("#timeline-items").get_by_text("Sent the brochure").wait_for()
    overflow = phone_page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1
    profile = phone_page.locator("#profile-panel").bounding_box()
    timeline = phone_page.locator("#timeline").bounding_box()
    assert abs(profile["x"] - timeline["x"]) < 40 and timeline["y"] > profile["y"]  # one column
    shot(phone_page, "customer-360-phone")
