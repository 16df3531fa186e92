"""Duplicates in a real browser: the queue shows a pair with its evidence, keeping one merges the other into
it, and the merge is undone from the survivor's timeline; a new customer like an existing one is warned about."""

import pytest

from rapport.customers.models import Customer
from rapport.dedupe.models import DuplicatePair
from tests.browser.conftest import PASSWORD, shot, sign_in
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.browser

EVIDENCE = [{"comparison": "email", "level": "email_exact", "weight": 9.0},
            {"comparison": "name", "level": "name_swapped", "weight": 6.0}]


def test_merge_a_pair_from_the_queue_then_undo_it(page, team):
    agent = make_user(username="dewi", role="agent", team=team, password=PASSWORD)
    a = make_customer(owner=agent, first_name="Fatin", last_name="Amirul", emails=["fatin@example.my"])
    b = make_customer(owner=agent, first_name="Amirul", last_name="Fatin", emails=["fatin@example.my"])
    DuplicatePair.objects.create(customer_a=a, customer_b=b, match_probability=0.99, evidence=EVIDENCE)
    sign_in(page, "dewi")
    page.goto("/duplicates/")
    card = page.locator(".pair-card")
    assert "Same name with first and last name swapped" in card.inner_text()
    shot(page, "duplicates-queue")

    card.get_by_role("button", name="Keep Fatin Amirul").click()
    page.wait_for_selector(".pair-card", state="detached")
    page.wait_for_selector(".toast", state="visible")
    shot(page, "duplicates-merged")
    assert not Customer.objects.filter(pk=b.pk).exists()

    page.goto(f"/customers/{a.pk}/")
    page.once("dialog", lambda dialog: dialog.accept())
    page.get_by_role("button", name="Undo merge").click()
    page.wait_for_url(f"**/customers/{b.pk}/")
    assert Customer.objects.filter(pk=b.pk).exists()
    shot(page, "duplicates-undone")


def test_a_new_customer_like_an_existing_one_is_warned_about(page, team):
    agent = make_user(username="joanna", role="agent", team=team, password=PASSWORD)
    make_customer(owner=agent, first_name="Joanna", last_name="Kowalska", emails=["joanna.k@example.pl"],
                  phones=["+48 601 234 567"])
    sign_in(page, "joanna")
    page.goto("/customers/")
    page.get_by_role("link", name="New customer").click()
    page.get_by_label("First name").fill("Joanna")
    page.get_by_label("Last name").fill("Kowalska")
    page.get_by_label("E-mail").fill("Joanna.K@example.pl")
    page.get_by_role("button", name="Add the customer").click()
    warning = page.locator("#likely-duplicates")
    warning.wait_for()
    assert "Joanna Kowalska" in warning.inner_text()
    assert page.get_by_label("Last name").input_value() == "Kowalska"
    shot(page, "customer-new-duplicate-warning")
    page.get_by_label("This is a different customer: create it anyway").check()
    page.get_by_role("button", name="Add the customer").click()
    page.wait_for_url("**/customers/*/")
    assert Customer.objects.filter(last_name="Kowalska").count() == 2
