"""The customer 360's scores: badges in the header, the "Why at risk" panel with worded reasons and the
history of earlier scores; nothing for a customer without a score; a 404 for another team's customer."""

from __future__ import annotations

from datetime import date

import pytest
from django.urls import reverse

from rapport.customers.services import customer_create
from tests.analytics.factories import make_run, make_score
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


@pytest.fixture
def customer(agent):
    return customer_create(first_name="Siti", last_name="Rahman", owner=agent, team=agent.team)


@pytest.fixture
def scored(customer):
    """Two runs: last month's (medium risk) and this month's (high risk with reasons)."""
    old = make_run(as_of=date(2025, 5, 31))
    make_score(old, customer, risk_band="medium", churn_risk=0.41, value_band="high", rfm_segment="loyal",
               reasons=[])
    run = make_run(as_of=date(2025, 6, 30))
    return make_score(run, customer, rfm_segment="champions", rfm_r=5, rfm_f=4, rfm_m=5)


def _page(client, customer) -> str:
    response = client.get(reverse("web:customer-detail", args=[customer.pk]))
    assert response.status_code == 200
    return response.content.decode()


def test_the_header_shows_the_value_risk_segment_and_programme_badges(client, agent, customer, scored):
    client.force_login(agent)
    html = _page(client, customer)
    assert 'id="badge-value"' in html and "Value: High" in html
    assert "Churn risk: High · 72%" in html
    assert "Champions · <span dir=\"ltr\">5-4-5</span>" in html
    assert "High value, wants high service" in html
    assert "Personal call by the account manager within 48 hours" in html


def test_the_panel_words_the_reasons_and_shows_the_models_figures(client, agent, customer, scored):
    client.force_login(agent)
    html = _page(client, customer)
    assert 'id="score-panel"' in html and "Why at risk" in html
    assert "No purchase for 120 days, about 4 times the usual gap of 30 days." in html
    assert "2 unresolved complaints." in html
    assert "Passive loyalty (still a customer, not buying)" in html
    assert "MYR250.00" in html  # predicted lifetime value in the run's reporting currency
    assert "42%" in html  # P(alive)
    assert "Expected purchases in the next 365 days" in html and "1.2" in html


def test_the_panel_lists_the_earlier_scores(client, agent, customer, scored):
    client.force_login(agent)
    html = _page(client, customer)
    history = html.split('id="score-history"')[1].split("</table>")[0]
    assert "5/31/2025" in history and "Medium · 41%" in history and "Loyal" in history
    assert "6/30/2025" not in history  # the current score is the panel itself, not its history


def test_the_reasons_are_in_the_readers_language(client, agent, customer, scored):
    agent.language = "pl"
    agent.save(update_fields=["language"])
    client.force_login(agent)
    html = _page(client, customer)
    assert 'id="score-reasons"' in html  # whatever the catalogue holds, the page renders in Polish without error


def test_a_customer_without_a_score_shows_no_badges_nor_panel(client, agent, customer):
    make_run()
    client.force_login(agent)
    html = _page(client, customer)
    assert 'id="customer-scores"' not in html and 'id="score-panel"' not in html


def test_old_or_odd_reasons_fall_back_to_the_cause(client, agent, customer):
    make_score(make_run(), customer, reasons=[
        {"code": "moved_away", "template": "moved_away.v9", "params": {}},
        {"code": "price_driven", "template": "price_driven.spend", "params": {"percent": "30"}},
        "junk", {"code": "<b>x</b>"},
    ])
    client.force_login(agent)
    html = _page(client, customer)
    assert "Life changes (moved away)" in html
    assert "A better offer elsewhere (spend dropping)" in html
    assert "&lt;b&gt;x&lt;/b&gt;" in html and "<b>x</b>" not in html


def test_another_teams_customer_is_not_found_and_its_scores_never_shown(client, agent, other_team):
    theirs = make_customer(owner=make_user(role="agent", team=other_team), first_name="Theirs")
    make_score(make_run(), theirs)
    client.force_login(agent)
    assert client.get(reverse("web:customer-detail", args=[theirs.pk])).status_code == 404


def test_the_badges_stay_after_an_edit_refreshes_the_header(client, agent, customer, scored):
    client.force_login(agent)
    response = client.post(
        reverse("web:customer-contact-point-add", args=[customer.pk]),
        {"point-kind": "email", "point-value": "siti@example.com"}, **HX,
    )
    assert response.status_code == 200
    assert 'hx-swap-oob="true"' in response.content.decode() and 'id="badge-risk"' in response.content.decode()


def test_a_scored_customer_costs_one_query_more_than_an_unscored_one(
    client, agent, customer, scored, django_assert_max_num_queries
):
    client.force_login(agent)
    client.get(reverse("web:customer-detail", args=[customer.pk]))
    # The baseline page (7, tests/web/test_customer360.py) with the score's earlier runs read in one query.
    with django_assert_max_num_queries(8) as captured:
        _page(client, customer)
    assert len(captured.captured_queries) == 8
