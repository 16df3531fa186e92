"""The analytics dashboard: stored figures for those who see everyone, live figures over an agent's own book
(never another team's counts), the empty state, links into the filtered customer list, and no 500 on odd data."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.urls import reverse

from rapport.analytics.dashboard import dashboard_figures
from tests.analytics.factories import STORED_CHARTS, make_holdout, make_run, make_score
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

URL = reverse("web:analytics-dashboard")


def _matrix(response) -> dict[tuple[str, str], int]:
    return {
        (row["risk"], cell["value"]): cell["count"]
        for row in response.context["matrix_rows"] for cell in row["cells"]
    }


@pytest.fixture
def books(agent, other_team):
    """A done run with stored all-customer figures; the agent owns two scored customers, another team three."""
    run = make_run(charts=STORED_CHARTS)
    mine_high = make_customer(owner=agent, first_name="Urgent")
    mine_low = make_customer(owner=agent, first_name="Calm")
    make_score(run, mine_high, risk_band="high", value_band="high", rfm_r=1, rfm_f=5, clv=Decimal("900.00"),
               actual_value=Decimal("400.00"), rfm_segment="cant_lose_them")
    make_score(run, mine_low, risk_band="low", value_band="low", rfm_r=5, rfm_f=1, clv=Decimal("10.00"),
               actual_value=Decimal("5.00"), rfm_segment="new", value_segment="low_value_low_service",
               programme="standard")
    stranger = make_user(role="agent", team=other_team)
    for i in range(3):
        make_score(run, make_customer(owner=stranger, first_name=f"Theirs{i}"), risk_band="high", value_band="high",
                   rfm_r=1, rfm_f=5, clv=Decimal("5000.00"))
    return run


def test_an_admin_sees_the_runs_stored_figures(client, admin_user, books):
    make_holdout()
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert response.context["live"] is False
    assert _matrix(response)[("high", "high")] == 29 and _matrix(response)[("low", "low")] == 400
    assert 'id="total-customers">909<' in html
    assert "MYR123,456.78" in html
    assert "btyd1-bgnbd+lightgbm-abc12345" in html and "June 30, 2025" in html
    # Cohort retention and the holdout check's customer counts are figures over everyone: shown to the admin.
    assert 'id="cohort-table"' in html and "25%" in html
    assert 'id="holdout-table"' in html and response.context["holdout"]["show_counts"] is True
    assert "0.78" in html and "2.64" in html
    assert 'id="live-note"' not in html


def test_an_agent_sees_live_figures_over_their_own_customers_only(client, agent, books):
    make_holdout()
    client.force_login(agent)
    response = client.get(URL)
    assert response.status_code == 200
    assert response.context["live"] is True
    matrix = _matrix(response)
    assert matrix[("high", "high")] == 1 and matrix[("low", "low")] == 1 and sum(matrix.values()) == 2
    totals = response.context["totals"]
    assert totals["customers"] == 2 and totals["high_value_high_risk"] == 1 and totals["clv_sum"] == 910.0
    html = response.content.decode()
    # Nothing of the all-customer figures, nor of the other team's three customers.
    assert 'id="total-customers">2<' in html
    for stored in ("909", "123,456.78", "505", "303"):
        assert stored not in html, stored
    assert 'id="cohort-table"' not in html and 'id="cohorts-note"' in html and 'id="live-note"' in html
    assert response.context["holdout"]["show_counts"] is False
    rfm = {(c["r"], c["f"]): c["count"] for row in response.context["rfm_rows"] for c in row["cells"]}
    assert rfm[(1, 5)] == 1 and rfm[(5, 1)] == 1 and sum(rfm.values()) == 2
    segments = {g["id"]: {r["code"]: r["count"] for r in g["rows"]} for g in response.context["segment_groups"]}
    assert segments["rfm-segments"]["cant_lose_them"] == 1 and segments["rfm-segments"]["new"] == 1
    assert segments["programmes"] == {**{code: 0 for code in segments["programmes"]}, "personal_call": 1,
                                      "standard": 1}


def test_a_manager_sees_the_teams_book(client, team, agent, books):
    manager = make_user(role="manager", team=team)
    client.force_login(manager)
    response = client.get(URL)
    assert response.context["totals"]["customers"] == 2


def test_the_live_histogram_counts_every_visible_customer_once(agent):
    run = make_run()
    for clv in ("0.00", "5.00", "50.00", "99.00", "100.00", "250.00", "10000.00"):
        make_score(run, make_customer(owner=agent), clv=Decimal(clv))
    figures = dashboard_figures(agent)
    histogram = figures["clv_histogram"]
    assert len(histogram["edges"]) == 21 and len(histogram["counts"]) == 20
    assert sum(histogram["counts"]) == 7
    # The top bin is open-ended: the one very large customer lands there, the rest spread below it.
    assert histogram["counts"][-1] >= 1 and histogram["counts"][0] >= 1


def test_without_a_run_the_page_says_how_to_make_one(client, agent):
    client.force_login(agent)
    response = client.get(URL)
    assert response.status_code == 200
    html = response.content.decode()
    assert 'id="analytics-empty"' in html
    assert "No scores yet — run <code>rapport analytics run</code>" in html
    assert 'id="holdout-missing"' in html
    assert "rapport analytics fit --calibration-end DATE --holdout-end DATE" in html


def test_a_newer_run_that_did_not_finish_is_mentioned_and_the_last_done_one_shown(client, admin_user, books):
    make_run(status="kept_previous", notes="neither BG/NBD nor Pareto/NBD converged")
    client.force_login(admin_user)
    response = client.get(URL)
    html = response.content.decode()
    assert response.context["run"] == books
    assert 'id="latest-run"' in html and "Kept the previous scores" in html and "converged" in html


def test_each_matrix_cell_links_to_the_customer_list_filtered_to_it(client, agent, books):
    client.force_login(agent)
    html = client.get(URL).content.decode()
    for risk in ("low", "medium", "high"):
        for value in ("low", "medium", "high"):
            assert f'href="/customers/?risk={risk}&amp;value={value}"' in html
    assert 'href="/customers/?rfm=cant_lose_them"' in html
    assert 'href="/customers/?segment=high_value_high_service"' in html
    # The link lands on exactly the agent's high-risk, high-value customers.
    listed = client.get(reverse("web:customer-list"), {"risk": "high", "value": "high"})
    assert [c.display_name for c in listed.context["rows"]] == ["Urgent Lovelace"]


def test_the_nav_links_to_the_dashboard(client, agent):
    client.force_login(agent)
    html = client.get(reverse("web:home")).content.decode()
    assert f'href="{URL}">Analytics</a>' in html


def test_it_needs_a_signed_in_user(client):
    response = client.get(URL)
    assert response.status_code == 302 and "/login/" in response["Location"]


@pytest.mark.parametrize("charts", [
    {},
    {"rfm_grid": "x", "matrix": {"counts": [[1, 2]]}, "clv_histogram": {"edges": [0, 1], "counts": [1, 2, 3]}},
    {"rfm_grid": {"counts": [[None, "a", "1e400", -5]], "mean_monetary": [[{}]]}, "totals": {"customers": "lots"},
     "cohorts": {"labels": ["2024-01"], "sizes": "x", "retention": [[1.0, "a", -3]]}, "rfm_segments": [1, 2]},
    {"cohorts": {"labels": ["<b>x</b>"], "sizes": [1], "retention": "no"}, "programmes": {"<script>": 3}},
])
def test_odd_stored_figures_never_break_the_page(client, admin_user, charts):
    make_run(charts=charts, settings={"reporting_currency": 12})
    make_holdout({"by_frequency": {"frequency": [0, 1], "actual": ["Infinity", "NaN"],
                                   "predicted": {"bgnbd": None, "pareto_nbd": ["x", "-Infinity"]}},
                  "holdout": {"churn_auc": "n/a"}})
    client.force_login(admin_user)
    response = client.get(URL)
    assert response.status_code == 200
    assert b"<script>" not in response.content.split(b"</main>")[0]


def test_the_page_escapes_stored_text(client, admin_user):
    make_run(charts={"programmes": {"<img src=x onerror=alert(1)>": 2}}, model_version="<b>v</b>")
    client.force_login(admin_user)
    html = client.get(URL).content.decode()
    assert "<img src=x" not in html and "<b>v</b>" not in html and "&lt;b&gt;v&lt;/b&gt;" in html


def test_the_page_is_right_to_left_in_hebrew(client, agent, books):
    agent.language = "he"
    agent.save(update_fields=["language"])
    client.force_login(agent)
    html = client.get(URL).content.decode()
    assert '<html lang="he" dir="rtl">' in html and "bootstrap.rtl.min.css" in html


@pytest.mark.parametrize("size", [1, 30])
def test_the_live_figures_cost_the_same_queries_for_a_small_or_a_big_book(
    client, agent, size, django_assert_max_num_queries
):
    run = make_run()
    for i in range(size):
        make_score(run, make_customer(owner=agent), clv=Decimal(i * 10), rfm_r=1 + i % 5, rfm_f=1 + (i // 5) % 5)
    client.force_login(agent)
    client.get(URL)
    # Session and user, the latest run, the holdout check, then the grid, the groups and the histogram's two.
    with django_assert_max_num_queries(8) as captured:
        assert client.get(URL).status_code == 200
    assert len(captured.captured_queries) == 8


def test_the_stored_figures_cost_four_queries(client, admin_user, books, django_assert_max_num_queries):
    client.force_login(admin_user)
    client.get(URL)
    with django_assert_max_num_queries(4):  # session, user, latest run, holdout check
        assert client.get(URL).status_code == 200


# --- the customer list's score filters ---------------------------------------------------------------------


def test_the_customer_list_offers_the_score_filters_under_more_filters(client, agent, books):
    client.force_login(agent)
    html = client.get(reverse("web:customer-list"), {"risk": "high", "segment": "high_value_high_service"}).content
    html = html.decode()
    assert "Value and risk bands arrive with the analytics." not in html
    for name, label in (("value", "Value"), ("risk", "Churn risk"), ("rfm", "RFM segment"),
                        ("segment", "Value segment")):
        assert f'<label class="form-label" for="f-{name}">{label}</label>' in html
        assert f'id="f-{name}" name="{name}"><option value="">Any</option>' in html
    assert '<option value="high" selected>High</option>' in html.split('id="f-risk"')[1].split("</select>")[0]
    assert '<option value="cant_lose_them">Can&#x27;t lose them</option>' in html
    assert '<details class="mt-2" open>' in html  # a chosen score filter keeps "More filters" open


def test_a_saved_view_keeps_the_score_filters(client, agent, books):
    from rapport.customers.models import SavedView

    client.force_login(agent)
    client.post(reverse("web:saved-view-create"), {"name": "Save them", "query": "risk=high&value=high&rfm=bogus"})
    view = SavedView.objects.get(name="Save them")
    assert sorted(view.query.split("&")) == ["risk=high", "value=high"]


def test_a_bad_score_filter_value_is_reported_not_a_500(client, agent, books):
    client.force_login(agent)
    response = client.get(reverse("web:customer-list"), {"risk": "extreme", "rfm": "<b>"})
    assert response.status_code == 200
    assert set(response.context["filters"].errors) == {"risk", "rfm"}
