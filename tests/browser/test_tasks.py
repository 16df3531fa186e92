"""The tasks page and the home page in a real browser: create a task, see it in its group, complete it in
one click, undo, and the result surviving a reload; screenshots at desktop and phone width."""

from datetime import timedelta
from zoneinfo import ZoneInfo

import pytest
from django.utils import timezone

from rapport.accounts.services import user_update_preferences
from rapport.customers.services import customer_update
from rapport.interactions.models import Task
from rapport.interactions.services import interaction_log, task_create
from tests.browser.conftest import PASSWORD, shot, sign_in
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.browser

ZONE = "Asia/Kuala_Lumpur"


def _today_at_noon_in(zone: str) -> str:
    return timezone.now().astimezone(ZoneInfo(zone)).strftime("%Y-%m-%dT12:00")


def test_create_a_task_then_complete_it_in_one_click(page, team):
    user = make_user(username="amira", role="agent", team=team, password=PASSWORD)
    user_update_preferences(user=user, time_zone=ZONE)
    make_customer(owner=user, first_name="Grace", last_name="Hopper", emails=["grace@example.com"])
    make_customer(owner=user, first_name="Alan", last_name="Turing")
    sign_in(page, "amira")
    page.goto("/tasks/")

    page.get_by_role("textbox", name="Title", exact=True).fill("Call Grace about the renewal")
    page.get_by_role("textbox", name="Due", exact=True).fill(_today_at_noon_in(ZONE))
    page.get_by_label("Find a customer by name, e-mail or phone").fill("hopper")
    page.get_by_label("Grace Hopper").check()
    page.get_by_role("button", name="Add task").click()

    today = page.locator("section[data-bucket=today]")
    row = today.locator("li", has_text="Call Grace about the renewal")
    row.wait_for()
    assert page.locator(".toast", has_text="added").count() == 1
    # The form is empty again for the next task.
    assert page.get_by_role("textbox", name="Title", exact=True).input_value() == ""
    shot(page, "tasks")

    row.get_by_role("button", name="Done").click()
    undo = row.get_by_role("button", name="Undo")
    undo.wait_for()
    assert page.locator(".toast", has_text="is done").count() >= 1
    task = Task.objects.get(title="Call Grace about the renewal")
    assert task.done_at is not None

    page.reload()
    open_today = page.locator("section[data-bucket=today]")
    assert open_today.get_by_text("Call Grace about the renewal", exact=True).count() == 0
    page.get_by_role("link", name="Done", exact=True).click()
    done = page.locator("section[data-bucket=done]")
    done.get_by_text("Call Grace about the renewal", exact=True).wait_for()
    shot(page, "tasks-done")


def test_undo_puts_the_task_back(page, team):
    user = make_user(username="bima", role="agent", team=team, password=PASSWORD)
    customer = make_customer(owner=user, first_name="Siti")
    task_create(customer=customer, title="Send the catalogue", assignee=user,
                due_at=timezone.now() - timedelta(days=2))
    sign_in(page, "bima")
    page.goto("/tasks/")
    row = page.locator("section[data-bucket=overdue] li", has_text="Send the catalogue")
    row.get_by_role("button", name="Done").click()
    row.get_by_role("button", name="Undo").click()
    row.get_by_role("button", name="Done").wait_for()
    page.reload()
    page.locator("section[data-bucket=overdue]").get_by_text("Send the catalogue", exact=True).wait_for()
    assert Task.objects.get(title="Send the catalogue").done_at is None


def _home_data(user):
    customer = make_customer(owner=user, first_name="Grace", last_name="Hopper")
    customer_update(customer=customer, data={"lifecycle_stage": "active"}, by=user, reason="First order")
    now = timezone.now()
    task_create(customer=customer, title="Follow up on the order", assignee=user, due_at=now - timedelta(days=1))
    task_create(customer=customer, title="Quarterly review", assignee=user, due_at=now + timedelta(days=5))
    interaction_log(customer=customer, channel="phone", direction="outbound", subject="Thanked for the order",
                    user=user)


def test_the_home_page_shows_my_day(page, team):
    user = make_user(username="dewi", role="agent", team=team, password=PASSWORD, first_name="Dewi")
    _home_data(user)
    sign_in(page, "dewi")
    page.goto("/")
    tasks = page.locator("#home-task-list")
    tasks.get_by_text("Follow up on the order", exact=True).wait_for()
    assert page.get_by_role("heading", name="My customers who changed stage this week").count() == 1
    page.get_by_text("First order", exact=True).wait_for()
    page.locator("section[aria-labelledby=home-activity]").get_by_text("Thanked for the order").wait_for()
    page.wait_for_load_state("networkidle")
    shot(page, "home")
    tasks.locator("li", has_text="Follow up on the order").get_by_role("button", name="Done").click()
    tasks.get_by_role("button", name="Undo").wait_for()


def test_tasks_and_home_at_phone_width(phone_page, team):
    user = make_user(username="eka", role="agent", team=team, password=PASSWORD)
    _home_data(user)
    sign_in(phone_page, "eka")
    phone_page.goto("/tasks/")
    phone_page.locator("section[data-bucket=overdue]").get_by_text("Follow up on the order", exact=True).wait_for()
    # Nothing wider than the screen: no sideways scrolling on a phone.
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "tasks-phone")
    phone_page.goto("/")
    phone_page.locator("section[aria-labelledby=home-activity]").get_by_text("Thanked for the order").wait_for()
    phone_page.wait_for_load_state("networkidle")
    assert phone_page.evaluate("document.documentElement.scrollWidth") <= 390
    shot(phone_page, "home-phone")
