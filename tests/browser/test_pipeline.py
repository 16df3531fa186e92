"""The pipeline board in a real browser: drag a card to another stage, see it stay; a stale move goes back."""

from __future__ import annotations

import pytest

from rapport.sales.models import Opportunity
from rapport.sales.services import opportunity_create, pipeline_create
from tests.browser.conftest import PASSWORD, shot, sign_in
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.browser


@pytest.fixture
def board_data(team):
    user = make_user(username="sam", role="agent", team=team, password=PASSWORD)
    pipeline = pipeline_create(name="Sales")
    stages = {s.name: s for s in pipeline.stages.all()}
    customer = make_customer(owner=user, kind="organisation", organisation_name="Kopi Co", first_name="",
                             last_name="")
    deal = opportunity_create(customer=customer, name="Espresso machines", amount="12500", currency="MYR")
    other = opportunity_create(customer=customer, name="Grinders", amount="800", currency="MYR")
    return user, stages, deal, other


def _column(page, stage):
    return page.locator(f'.kanban-list[data-stage-id="{stage.pk}"]')


def _drag(page, card, target):
    """A real pointer drag: press on the card, move over the target column in steps, release."""
    source = card.bounding_box()
    box = target.bounding_box()
    page.mouse.move(source["x"] + source["width"] - 20, source["y"] + 45)  # beside the customer's name
    page.mouse.down()
    page.mouse.move(source["x"] + source["width"] - 10, source["y"] + 60, steps=5)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 30, steps=20)
    page.mouse.move(box["x"] + box["width"] / 2, box["y"] + 40, steps=5)
    page.mouse.up()


def test_a_card_dragged_to_another_stage_stays_there_after_a_reload(page, board_data):
    _user, stages, deal, _other = board_data
    sign_in(page, "sam")
    page.goto("/sales/pipeline/")
    card = page.locator(f"#card-{deal.pk}")
    assert _column(page, stages["Qualification"]).locator(f"#card-{deal.pk}").count() == 1
    shot(page, "pipeline-board")
    _drag(page, card, _column(page, stages["Proposal"]))
    page.wait_for_selector(f'#card-{deal.pk}[data-state="saved"]')
    assert card.get_attribute("data-version") == "2"
    proposal = page.locator(f'.kanban-column[data-stage-id="{stages["Proposal"].pk}"]')
    assert proposal.locator("[data-count]").inner_text() == "1"
    assert "12,500.00" in proposal.locator("[data-totals]").inner_text()
    shot(page, "pipeline-board-moved")
    page.reload()
    assert _column(page, stages["Proposal"]).locator(f"#card-{deal.pk}").count() == 1
    assert _column(page, stages["Qualification"]).locator(f"#card-{deal.pk}").count() == 0
    deal.refresh_from_db()
    assert deal.stage == stages["Proposal"] and deal.stage_changes.count() == 2


def test_a_stale_move_goes_back_with_a_message(page, board_data):
    _user, stages, deal, _other = board_data
    sign_in(page, "sam")
    page.goto("/sales/pipeline/")
    # Someone else saves the opportunity after the board was opened.
    Opportunity.objects.filter(pk=deal.pk).update(version=5)
    _drag(page, page.locator(f"#card-{deal.pk}"), _column(page, stages["Negotiation"]))
    page.wait_for_selector(f'#card-{deal.pk}[data-state="failed"]')
    assert _column(page, stages["Qualification"]).locator(f"#card-{deal.pk}").count() == 1
    assert _column(page, stages["Negotiation"]).locator(f"#card-{deal.pk}").count() == 0
    toast = page.locator("#toasts .toast").last
    toast.wait_for(state="visible")
    assert "Someone else changed this opportunity" in toast.inner_text()
    shot(page, "pipeline-board-stale")
    deal.refresh_from_db()
    assert deal.stage == stages["Qualification"]


def test_dropping_on_lost_asks_why_and_cancelling_puts_the_card_back(page, board_data):
    _user, stages, deal, _other = board_data
    sign_in(page, "sam")
    page.goto("/sales/pipeline/")
    _drag(page, page.locator(f"#card-{deal.pk}"), _column(page, stages["Lost"]))
    dialog = page.get_by_role("dialog")
    dialog.wait_for()
    page.wait_for_selector("#close-reason.show")
    assert "Espresso machines" in dialog.inner_text()
    shot(page, "pipeline-board-reason")
    dialog.get_by_role("button", name="Cancel").first.click()
    page.wait_for_selector(f'#card-{deal.pk}[data-state="cancelled"]')
    assert _column(page, stages["Qualification"]).locator(f"#card-{deal.pk}").count() == 1
    _drag(page, page.locator(f"#card-{deal.pk}"), _column(page, stages["Lost"]))
    dialog.wait_for()
    dialog.get_by_role("button", name="Save").click()  # empty: refused in the dialog, nothing sent
    assert dialog.get_by_label("Reason").get_attribute("aria-invalid") == "true"
    dialog.get_by_label("Reason").fill("Went with a competitor")
    dialog.get_by_role("button", name="Save").click()
    page.wait_for_selector(f'#card-{deal.pk}[data-state="saved"]')
    assert _column(page, stages["Lost"]).locator(f"#card-{deal.pk}").count() == 1
    deal.refresh_from_db()
    assert deal.status == "lost" and deal.close_reason == "Went with a competitor"


def test_the_move_menu_moves_a_card_without_dragging(page, board_data):
    _user, stages, _deal, other = board_data
    sign_in(page, "sam")
    page.goto("/sales/pipeline/")
    page.get_by_label("Move Grinders to").select_option(label="Negotiation")
    page.locator(f"#card-{other.pk}").get_by_role("button", name="Move").click()
    page.wait_for_selector(f'#card-{other.pk}[data-state="saved"]')
    assert _column(page, stages["Negotiation"]).locator(f"#card-{other.pk}").count() == 1
    other.refresh_from_db()
    assert other.stage == stages["Negotiation"] and other.probability == 75


def test_the_board_fits_a_phone(phone_page, board_data):
    sign_in(phone_page, "sam")
    phone_page.goto("/sales/pipeline/")
    assert phone_page.locator(".kanban-card").count() == 2
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 390 + 1  # the columns scroll inside the board, the page does not
    shot(phone_page, "pipeline-board-phone")
