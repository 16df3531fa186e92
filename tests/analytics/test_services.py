"""A scoring run end to end on generated data: stored scores, history, stages, tasks, and the bad cases."""

from datetime import UTC, date, datetime

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection

from rapport.analytics.choices import RunStatus
from rapport.analytics.explain import reasons_of, worded
from rapport.analytics.models import CustomerScore
from rapport.analytics.selectors import current_run, customer_score
from rapport.analytics.services import analytics_run
from rapport.commerce.models import Order
from rapport.customers.models import Customer, LifecycleChange
from rapport.interactions.models import Task
from rapport.ops.seeding import seed_database
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db
END = datetime(2026, 1, 31, tzinfo=UTC)
AS_OF = date(2026, 1, 31)


@pytest.fixture
def seeded(settings, tmp_path):
    settings.VAR_DIR = tmp_path
    return seed_database(customers=400, seed=3, end=END)


def test_a_run_scores_every_buyer_and_becomes_current(seeded):
    run = analytics_run(as_of=AS_OF)
    assert run.status == RunStatus.DONE, run.notes
    buyers = Order.objects.exclude(status="cancelled").values("customer").distinct().count()
    assert abs(run.customers - buyers) <= 5  # only customers with nothing but returns are left out
    assert CustomerScore.objects.filter(run=run).count() == run.customers
    assert current_run() == run
    scores = CustomerScore.objects.filter(run=run)
    assert not scores.filter(churn_risk__lt=0).exists() and not scores.filter(churn_risk__gt=1).exists()
    assert {s.rfm_segment for s in scores} <= {"champions", "loyal", "potential_loyalists", "new", "promising",
                                               "need_attention", "about_to_sleep", "at_risk", "cant_lose_them",
                                               "hibernating"}
    assert set(scores.values_list("risk_band", flat=True)) <= {"low", "medium", "high"}
    assert run.params["primary"] in {"bgnbd", "pareto_nbd"} and run.params["bgnbd"]["converged"]
    assert run.charts["totals"]["customers"] == run.customers
    assert sum(map(sum, run.charts["matrix"]["counts"])) == run.customers
    assert sum(map(sum, run.charts["rfm_grid"]["counts"])) == run.customers


def test_the_riskiest_customers_get_worded_reasons(seeded):
    run = analytics_run(as_of=AS_OF)
    risky = CustomerScore.objects.filter(run=run).select_related("run").order_by("-churn_risk").first()
    reasons = worded(risky.reasons, run.params["churn"]["features"])
    assert reasons_of(risky) == reasons
    assert 1 <= len(reasons) <= 3
    assert all(r["template"] and isinstance(r["params"], dict) for r in reasons)


def test_high_value_high_risk_customers_get_a_call_task_capped_per_account_manager(seeded, settings):
    settings.ANALYTICS = {**settings.ANALYTICS, "CALLS_PER_OWNER": 2}
    run = analytics_run(as_of=AS_OF)
    calls = Task.objects.filter(title__startswith="Personal call")
    assert run.tasks_created == calls.count() > 0
    owners = list(calls.values_list("assignee", flat=True))
    assert all(owners.count(owner) <= 2 for owner in owners)
    assert all(c.assignee_id == c.customer.owner_id for c in calls.select_related("customer"))
    assert set(CustomerScore.objects.filter(run=run, customer__tasks__in=calls).values_list("programme", flat=True)) \
        == {"personal_call"}
    analytics_run(as_of=AS_OF)  # open calls are not doubled
    per_customer = list(Task.objects.filter(title__startswith="Personal call").values_list("customer", flat=True))
    assert len(per_customer) == len(set(per_customer))


def test_stages_move_with_a_recorded_reason_and_history_is_kept(seeded):
    first = analytics_run(as_of=date(2025, 10, 31))
    second = analytics_run(as_of=AS_OF)
    assert first.status == second.status == RunStatus.DONE
    moved = LifecycleChange.objects.filter(reason__startswith="Analytics ")
    assert moved.count() == first.lifecycle_changes + second.lifecycle_changes > 0
    change = moved.first()
    assert Customer.objects.get(pk=change.customer_id).version > 1 or change.to_stage
    customer_id = CustomerScore.objects.filter(run=second).values_list("customer", flat=True).first()
    assert CustomerScore.objects.filter(customer_id=customer_id).count() in (1, 2)
    assert current_run() == second


def test_no_orders_keeps_the_previous_scores_and_says_why(settings, tmp_path):
    make_customer()
    run = analytics_run(as_of=AS_OF)
    assert run.status == RunStatus.KEPT_PREVIOUS and "no orders" in run.notes
    assert current_run() is None and not CustomerScore.objects.exists()


def test_a_customer_of_another_team_has_no_visible_score(seeded, team, other_team):
    run = analytics_run(as_of=AS_OF)
    score = CustomerScore.objects.filter(run=run).select_related("customer").first()
    Customer.objects.filter(pk=score.customer_id).update(team=other_team, owner=None)
    agent = make_user(role="agent", team=team)
    assert customer_score(user=agent, customer_id=score.customer_id) is None


def test_the_command_refuses_bad_dates_with_one_line(seeded):
    with pytest.raises(CommandError, match="--as-of must be a date"):
        call_command("analytics", "run", "--as-of", "31/01/2026")
    with pytest.raises(CommandError, match="--holdout-end must be after"):
        call_command("analytics", "fit", "--calibration-end", "2026-01-01", "--holdout-end", "2025-01-01")


def test_no_score_is_ever_nan(seeded):
    analytics_run(as_of=AS_OF)
    for field in ("churn_risk", "p_alive", "expected_purchases", "p_no_purchase", "recency", "age", "monetary"):
        values = list(CustomerScore.objects.values_list(field, flat=True))
        assert all(v == v for v in values), field  # NaN != NaN


def test_old_runs_are_pruned_keeping_the_latest_and_the_first_of_each_month(seeded, settings):
    settings.ANALYTICS = {**settings.ANALYTICS, "KEEP_RUNS": 1}
    first = analytics_run(as_of=date(2026, 1, 10), create_tasks=False)
    middle = analytics_run(as_of=date(2026, 1, 20), create_tasks=False)
    last = analytics_run(as_of=AS_OF, create_tasks=False)
    assert CustomerScore.objects.filter(run=middle).count() == 0
    assert not type(middle).objects.filter(pk=middle.pk).exists()
    assert CustomerScore.objects.filter(run=first).count() == first.customers > 0
    assert CustomerScore.objects.filter(run=last).count() == last.customers
    if connection.vendor == "postgresql":  # each run's scores are a partition of their own, dropped whole
        with connection.cursor() as cursor:
            cursor.execute("SELECT c.relname FROM pg_inherits i JOIN pg_class c ON c.oid = i.inhrelid "
                           "WHERE i.inhparent = 'analytics_customerscore'::regclass")
            names = {row[0] for row in cursor.fetchall()}
        assert names == {"analytics_customerscore_default", f"analytics_customerscore_p{first.pk}",
                         f"analytics_customerscore_p{last.pk}"}


def test_a_stage_change_by_a_person_after_a_run_gets_a_fresh_id(seeded):
    run = analytics_run(as_of=AS_OF, create_tasks=False)
    assert run.lifecycle_changes > 0
    highest = LifecycleChange.objects.order_by("-id").values_list("id", flat=True).first()
    change = LifecycleChange.objects.create(customer=Customer.objects.first(), to_stage="active", reason="By hand")
    assert change.pk > highest


@pytest.mark.django_db(transaction=True)  # the moves commit chunk by chunk, on their own connections on PostgreSQL
def test_stage_moves_are_committed_in_chunks_after_the_scores(settings, tmp_path, monkeypatch):
    from rapport.analytics import writeback

    settings.VAR_DIR = tmp_path
    seed_database(customers=400, seed=3, end=END)
    monkeypatch.setattr(writeback, "MOVE_CHUNK", 7)
    monkeypatch.setattr(writeback, "PARALLEL_MOVES_FROM", 10)
    monkeypatch.setattr(writeback, "SQLITE_SCORE_CHUNK", 50)  # SQLite writes the scores in chunks too
    before = dict(Customer.objects.values_list("pk", "lifecycle_stage"))
    run = analytics_run(as_of=AS_OF, create_tasks=False)
    assert run.status == RunStatus.DONE and run.lifecycle_changes > 10, run.notes
    assert CustomerScore.objects.filter(run=run).count() == run.customers > 50
    moved = LifecycleChange.objects.filter(reason__startswith=f"Analytics {AS_OF.isoformat()}")
    assert moved.count() == run.lifecycle_changes
    assert len(set(moved.values_list("customer_id", flat=True))) == run.lifecycle_changes  # each moved once
    for change in moved:
        assert change.from_stage == before[change.customer_id]
        assert Customer.objects.get(pk=change.customer_id).lifecycle_stage == change.to_stage
    assert "lifecycle" in run.timings
    later = LifecycleChange.objects.create(customer_id=change.customer_id, to_stage="active", reason="By hand")
    assert later.pk > max(moved.values_list("id", flat=True))


@pytest.mark.skipif("connection.vendor != 'postgresql'", reason="partitions are PostgreSQL's")
def test_a_runs_partition_is_attached_with_statistics_and_all_visible(seeded):
    run = analytics_run(as_of=AS_OF, create_tasks=False)
    with connection.cursor() as cursor:
        cursor.execute("SELECT reltuples, relpages, relallvisible FROM pg_class WHERE relname = %s",
                       [f"analytics_customerscore_p{run.pk}"])
        tuples, pages, visible = cursor.fetchone()
    # Without statistics the planner takes a fresh partition for empty and picks plans for one row.
    assert tuples == run.customers and pages > 0
    assert visible == pages  # written frozen: index-only scans read no rows


@pytest.mark.skipif("connection.vendor != 'sqlite'", reason="PostgreSQL writes a run's scores in one transaction")
@pytest.mark.django_db(transaction=True)
def test_a_run_that_fails_while_writing_scores_in_chunks_leaves_no_rows_and_the_previous_scores(
    settings, tmp_path, monkeypatch
):
    from rapport.analytics import writeback

    settings.VAR_DIR = tmp_path
    seed_database(customers=200, seed=5, end=END)
    before = analytics_run(as_of=date(2026, 1, 10), create_tasks=False)
    monkeypatch.setattr(writeback, "SQLITE_SCORE_CHUNK", 40)
    real = writeback.write_scores
    calls = []

    def failing(writer, run, scoring, rows=None):
        calls.append(rows)
        if len(calls) == 3:
            raise RuntimeError("disk full")
        return real(writer, run, scoring, rows)

    monkeypatch.setattr(writeback, "write_scores", failing)
    with pytest.raises(RuntimeError):
        analytics_run(as_of=AS_OF, create_tasks=False)
    assert current_run() == before
    assert set(CustomerScore.objects.values_list("run_id", flat=True).distinct()) == {before.pk}


def test_the_360_never_shows_the_scores_of_a_run_still_being_written(team):
    from tests.analytics.factories import make_run, make_score

    user = make_user(role="admin")
    customer = make_customer(team=team)
    done = make_run(as_of=date(2026, 1, 1))
    make_score(done, customer, churn_risk=0.2)
    writing = make_run(as_of=date(2026, 1, 2), status=RunStatus.RUNNING)
    make_score(writing, customer, churn_risk=0.9)
    assert customer_score(user=user, customer_id=customer.pk).run_id == done.pk
    from rapport.analytics.selectors import customer_score_history

    assert [s.run_id for s in customer_score_history(user=user, customer_id=customer.pk)] == [done.pk]
