"""Reads: visibility, the board (capped counts, sums, constant queries), the forecast, search, the home panel."""

from __future__ import annotations

from datetime import date, timedelta
from decimal import Decimal

import pytest
from django.http import Http404
from django.utils import timezone

from rapport.customers.selectors import customer_single_view
from rapport.sales import selectors
from rapport.sales.models import Opportunity
from rapport.sales.selectors import (
    board,
    forecast,
    lead_get,
    lead_list,
    open_opportunities_by_stage,
    opportunity_get,
    opportunity_list,
    opportunity_search,
    pipeline_get,
    pipeline_list,
)
from rapport.sales.services import lead_create, opportunity_create, opportunity_move, opportunity_win
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def _opp(customer, name="Deal", amount="100", currency="MYR", **kw):
    return opportunity_create(customer=customer, name=name, amount=amount, currency=currency, **kw)


def test_an_agent_sees_only_their_own_leads_and_opportunities(pipeline, agent, manager, stranger, mine, theirs):
    my_opp, their_opp = _opp(mine, "Mine"), _opp(theirs, "Theirs")
    my_lead, their_lead = lead_create(last_name="A", owner=agent), lead_create(last_name="B", owner=stranger)
    assert list(opportunity_list(user=agent)) == [my_opp]
    assert list(lead_list(user=agent)) == [my_lead]
    assert list(opportunity_list(user=manager)) == [my_opp]  # the manager sees the team's, not the other team's
    with pytest.raises(Http404):
        opportunity_get(user=agent, pk=their_opp.pk)
    with pytest.raises(Http404):
        lead_get(user=agent, pk=their_lead.pk)
    with pytest.raises(Http404):
        lead_get(user=agent, pk="not-a-number")
    assert opportunity_get(user=agent, pk=str(my_opp.pk)) == my_opp


def test_pipelines_are_read_by_every_signed_in_user_and_nobody_else(pipeline, agent):
    from django.contrib.auth.models import AnonymousUser

    assert list(pipeline_list(user=agent)) == [pipeline]
    assert list(pipeline_list(user=AnonymousUser())) == []
    assert pipeline_get(user=agent) == pipeline
    with pytest.raises(Http404):
        pipeline_get(user=agent, pk=pipeline.pk + 100)


def test_the_board_puts_cards_in_their_columns_with_counts_and_sums(pipeline, stages, agent, stranger, mine, theirs):
    a = _opp(mine, "A", "100.10", expected_close=date(2030, 3, 1))
    b = _opp(mine, "B", "50", expected_close=date(2030, 1, 1))
    _opp(mine, "C", "7", currency="USD")
    opportunity_move(opportunity=a, stage=stages["Proposal"])
    _opp(theirs, "Hidden", "999")
    the_board = board(user=agent, pipeline=pipeline_get(user=agent))
    columns = {c.stage.name: c for c in the_board.columns}
    assert [c.stage.name for c in the_board.columns][:2] == ["Qualification", "Needs analysis"]
    assert [o.name for o in columns["Qualification"].cards] == ["B", "C"]  # by expected close, undated last
    assert columns["Qualification"].count == 2
    assert columns["Qualification"].totals == [("MYR", Decimal("50.00")), ("USD", Decimal("7.00"))]
    assert [o.name for o in columns["Proposal"].cards] == ["A"]
    assert columns["Proposal"].totals == [("MYR", Decimal("100.10"))]
    assert columns["Won"].count == 0 and columns["Won"].cards == []
    assert b.pk in {o.pk for o in columns["Qualification"].cards}


def test_the_board_caps_its_cards_per_column_and_counts_beyond(pipeline, agent, mine, monkeypatch):
    monkeypatch.setattr(selectors, "COUNT_CAP", 5)
    for i in range(7):
        _opp(mine, f"Deal {i}")
    column = board(user=agent, pipeline=pipeline_get(user=agent), per_stage=3).columns[0]
    assert len(column.cards) == 3 and column.count == 5 and column.capped and column.more
    assert column.totals == [("MYR", Decimal("700.00"))]  # the sum is exact, only the count is capped


def test_the_board_shows_only_recently_closed_deals(pipeline, stages, agent, mine):
    old, recent = _opp(mine, "Old"), _opp(mine, "Recent")
    opportunity_win(opportunity=old, reason="Signed")
    opportunity_win(opportunity=recent, reason="Signed")
    Opportunity.objects.filter(pk=old.pk).update(closed_at=timezone.now() - timedelta(days=400))
    won = next(c for c in board(user=agent, pipeline=pipeline).columns if c.stage.name == "Won")
    assert [o.name for o in won.cards] == ["Recent"] and won.count == 1


def test_the_board_costs_the_same_queries_for_one_card_or_many(pipeline, agent, mine, django_assert_num_queries):
    _opp(mine, "One")
    the_pipeline = pipeline_get(user=agent)
    with django_assert_num_queries(3):  # cards, capped counts, sums
        board(user=agent, pipeline=the_pipeline)
    for i in range(30):
        _opp(make_customer(owner=agent), f"Many {i}")
    with django_assert_num_queries(3):
        columns = board(user=agent, pipeline=the_pipeline).columns
        assert sum(len(c.cards) for c in columns) == 31
        assert {c.cards[0].customer.display_name for c in columns if c.cards}  # joined, no query per card
        assert {c.cards[0].owner.username for c in columns if c.cards} == {"agent"}


def test_the_forecast_weights_open_amounts_by_month_and_currency(pipeline, stages, agent, stranger, mine, theirs):
    start = date(2030, 1, 1)
    _opp(mine, "Jan", "1000", expected_close=date(2030, 1, 20))  # 10%: 100
    opp = _opp(mine, "Jan 2", "333.33", expected_close=date(2030, 1, 5))
    opportunity_move(opportunity=opp, stage=stages["Proposal"])  # 50%: 166.665 -> 166.67
    _opp(mine, "Mar", "200", currency="USD", expected_close=date(2030, 3, 31))  # 10%: 20
    _opp(mine, "Too late", "5000", expected_close=date(2030, 9, 1))
    _opp(theirs, "Hidden", "9999", expected_close=date(2030, 1, 2))
    won = opportunity_win(opportunity=_opp(mine, "Won", "250", expected_close=date(2030, 1, 1)), reason="Yes")
    Opportunity.objects.filter(pk=won.pk).update(closed_at=timezone.make_aware(timezone.datetime(2030, 2, 10)))
    result = forecast(user=agent, months=3, start=start)
    assert result.months == [date(2030, 1, 1), date(2030, 2, 1), date(2030, 3, 1)]
    rows = {r.currency: r for r in result.rows}
    assert rows["MYR"].weighted == {date(2030, 1, 1): Decimal("266.67")}
    assert rows["MYR"].open_total == {date(2030, 1, 1): Decimal("1333.33")}
    assert rows["MYR"].won == {date(2030, 2, 1): Decimal("250.00")}
    assert rows["USD"].weighted == {date(2030, 3, 1): Decimal("20.00")}
    assert [c[1] for c in rows["USD"].cells(result.months)] == [Decimal("0.00"), Decimal("0.00"), Decimal("20.00")]


def test_the_forecast_is_two_queries(pipeline, agent, mine, django_assert_num_queries):
    for i in range(5):
        _opp(mine, f"D{i}", expected_close=timezone.localdate())
    with django_assert_num_queries(2):
        assert forecast(user=agent, months=6).rows[0].weighted_sum == Decimal("50.00")


def test_search_finds_a_name_prefix_in_any_case_among_visible_opportunities(pipeline, agent, mine, theirs):
    _opp(mine, "Fleet renewal")
    _opp(mine, "fleet extras")
    _opp(mine, "Office chairs")
    _opp(theirs, "Fleet hidden")
    assert [o.name for o in opportunity_search(user=agent, text="flee")] == ["Fleet renewal", "fleet extras"]
    assert [o.name for o in opportunity_search(user=agent, text="Off")] == ["Office chairs"]
    assert opportunity_search(user=agent, text="  ") == []
    assert opportunity_search(user=agent, text="chairs") == []  # a prefix search, not a contains search


def test_the_home_panel_counts_my_open_opportunities_by_stage(pipeline, stages, agent, manager, mine):
    _opp(mine, "A", "10")
    _opp(mine, "B", "5", currency="USD")
    opportunity_move(opportunity=_opp(mine, "C", "30"), stage=stages["Proposal"])
    opportunity_win(opportunity=_opp(mine, "D", "99"), reason="Yes")
    summary = open_opportunities_by_stage(user=agent)
    assert [(s.stage.name, s.count, s.totals) for s in summary] == [
        ("Qualification", 2, [("MYR", Decimal("10.00")), ("USD", Decimal("5.00"))]),
        ("Proposal", 1, [("MYR", Decimal("30.00"))]),
    ]
    assert open_opportunities_by_stage(user=manager) == []  # "my" means owned by me


def test_opportunities_show_on_the_customers_timeline(pipeline, agent, mine):
    _opp(mine, "Fleet renewal", "1500")
    view = customer_single_view(user=agent, pk=mine.pk, kinds={"opportunity"})
    entry = view.timeline.entries[0]
    assert (entry.kind, entry.title, entry.state, entry.amount, entry.currency, entry.actor) == (
        "opportunity", "Fleet renewal", "open", Decimal("1500.00"), "MYR", "agent"
    )
