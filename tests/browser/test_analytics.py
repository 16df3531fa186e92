"""The analytics dashboard in a real browser: the high-value, high-risk cell leads to exactly those customers;
the page is right to left in Hebrew and fits a phone; the 360 shows the scores and why the customer is at risk."""

from __future__ import annotations

import random
from datetime import date
from decimal import Decimal

import pytest

from rapport.analytics.dashboard import live_charts
from rapport.analytics.models import CustomerScore
from tests.analytics.factories import STORED_CHARTS, make_holdout, make_run, make_score
from tests.browser.conftest import PASSWORD, shot, sign_in
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.browser

SEGMENTS = ["champions", "loyal", "potential_loyalists", "new", "promising", "need_attention", "about_to_sleep",
            "at_risk", "cant_lose_them", "hibernating"]
VALUE_SEGMENTS = ["high_value_high_service", "high_value_low_service", "low_value_potential",
                  "low_value_high_service", "low_value_low_service"]
PROGRAMMES = {("high", "high"): "personal_call", ("high", "medium"): "retention_offer",
              ("medium", "high"): "account_review", ("low", "high"): "vip_care"}


@pytest.fixture
def scored_book(team):
    """An admin, an agent and 60 scored customers; the run's stored figures are computed over all of them."""
    admin = make_user(username="nadia", role="admin", password=PASSWORD, first_name="Nadia")
    agent = make_user(username="amira", role="agent", team=team, password=PASSWORD, first_name="Amira")
    rng = random.Random(7)
    previous = make_run(as_of=date(2025, 5, 31))
    run = make_run(as_of=date(2025, 6, 30))
    bands = ["low", "medium", "high"]
    for i in range(60):
        customer = make_customer(owner=agent if i % 2 else admin, first_name=f"Client{i:02d}", last_name="Tan")
        risk, value = rng.choice(bands), rng.choice(bands)
        if i < 4:  # a few that the test can find in the high/high cell
            risk, value = "high", "high"
        clv = Decimal(rng.randint(5, 4000)) if value != "low" else Decimal(rng.randint(0, 150))
        fields = {
            "risk_band": risk, "value_band": value, "churn_risk": {"low": 0.1, "medium": 0.4, "high": 0.8}[risk],
            "rfm_r": rng.randint(1, 5), "rfm_f": rng.randint(1, 5), "rfm_m": rng.randint(1, 5),
            "rfm_segment": rng.choice(SEGMENTS), "value_segment": rng.choice(VALUE_SEGMENTS),
            "programme": PROGRAMMES.get((risk, value), "standard"), "clv": clv, "actual_value": clv / 3,
            "monetary": float(rng.randint(20, 400)),
        }
        make_score(run, customer, **fields)
        make_score(previous, customer, **{**fields, "risk_band": "medium", "churn_risk": 0.45})
    charts = live_charts(CustomerScore.objects.filter(run=run))
    charts["cohorts"] = STORED_CHARTS["cohorts"] | {
        "labels": ["2025-01", "2025-02", "2025-03", "2025-04", "2025-05", "2025-06"],
        "sizes": [14, 12, 9, 11, 8, 6],
        "retention": [[1.0, 0.29, 0.21, 0.14, 0.14, 0.07], [1.0, 0.25, 0.17, 0.08, 0.08, None],
                      [1.0, 0.33, 0.22, 0.11, None, None], [1.0, 0.18, 0.09, None, None, None],
                      [1.0, 0.25, None, None, None, None], [1.0, None, None, None, None, None]],
    }
    run.charts = charts
    run.customers = 60
    run.save(update_fields=["charts", "customers"])
    make_holdout()
    return admin, agent, run


def test_the_high_value_high_risk_cell_opens_the_filtered_customer_list(page, scored_book):
    _admin, _agent, run = scored_book
    sign_in(page, "nadia")
    page.get_by_role("link", name="Analytics").click()
    page.wait_for_url("**/analytics/")
    page.locator("#rfm-grid").wait_for()
    # Chart.js drew both charts (their canvases have a size once drawn).
    page.wait_for_function("window.Chart && Chart.getChart('clv-chart') && Chart.getChart('holdout-chart')")
    shot(page, "analytics-dashboard")

    expected = CustomerScore.objects.filter(run=run, risk_band="high", value_band="high").count()
    cell = page.locator("#matrix-high-high")
    assert cell.inner_text() == str(expected)
    cell.click()
    page.wait_for_url("**/customers/?risk=high&value=high")
    rows = page.locator("#customer-rows tr")
    rows.first.wait_for()
    assert rows.count() == expected
    assert "Client00 Tan" in page.locator("#customer-rows").inner_text()
    # The filters show what the list is narrowed by.
    assert page.locator("#f-risk").input_value() == "high" and page.locator("#f-value").input_value() == "high"


def test_the_dashboard_is_right_to_left_in_hebrew(page, scored_book):
    sign_in(page, "amira")
    page.goto("/me/")
    page.get_by_label("Language").select_option("he")
    page.get_by_role("button", name="Save").click()
    page.wait_for_url("**/me/")
    page.goto("/analytics/")
    page.locator("#risk-value-matrix").wait_for()
    assert page.locator("html").get_attribute("dir") == "rtl"
    assert page.locator("html").get_attribute("lang") == "he"
    # The matrix reads from the right: its row headers sit to the right of the counts.
    header = page.locator("#risk-value-matrix tbody th").first.bounding_box()
    count = page.locator("#matrix-high-high").bounding_box()
    assert header["x"] > count["x"]
    page.wait_for_function("window.Chart && Chart.getChart('clv-chart')")
    shot(page, "analytics-dashboard-he")


def test_the_dashboard_fits_a_phone(phone_page, scored_book):
    sign_in(phone_page, "amira")
    phone_page.goto("/analytics/")
    phone_page.locator("#risk-value-matrix").wait_for()
    width = phone_page.evaluate("document.documentElement.scrollWidth")
    assert width <= 400, f"the page scrolls sideways at phone width ({width}px)"
    shot(phone_page, "analytics-dashboard-phone")


def test_the_360_shows_the_scores_and_why_at_risk(page, scored_book):
    _admin, agent, run = scored_book
    customer = CustomerScore.objects.filter(run=run, risk_band="high", customer__owner=agent).first().customer
    sign_in(page, "amira")
    page.goto(f"/customers/{customer.pk}/")
    page.locator("#score-panel").wait_for()
    assert "Churn risk: High · 80%" in page.locator("#badge-risk").inner_text()
    reasons = page.locator("#score-reasons li")
    assert reasons.first.inner_text() == "No purchase for 120 days, about 4 times the usual gap of 30 days."
    assert page.locator("#score-history tbody tr").count() == 1
    page.locator("#orders-panel p, #orders-panel table").first.wait_for()
    shot(page, "customer-360-scores")
