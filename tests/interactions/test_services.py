import pytest
from django.contrib.contenttypes.models import ContentType
from django.core.exceptions import ValidationError

from rapport.commerce.services import order_create
from rapport.interactions.selectors import task_list_open_for
from rapport.interactions.services import interaction_log, task_complete, task_create, task_update
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_an_interaction_can_concern_another_object(agent):
    customer = make_customer(owner=agent)
    order = order_create(customer=customer, currency="IDR", total="150000")
    call = interaction_log(
        customer=customer, channel="call_centre", direction="inbound", subject="Where is my order?",
        related=order, user=agent,
    )
    assert call.related_type == ContentType.objects.get_for_model(order) and call.related == order


def test_an_unknown_channel_is_refused():
    with pytest.raises(ValidationError) as err:
        interaction_log(customer=make_customer(), channel="telepathy", direction="inbound")
    assert "channel" in err.value.message_dict


def test_open_tasks_come_overdue_first_and_completed_ones_drop_out(agent):
    from datetime import timedelta

    from django.utils import timezone

    customer = make_customer(owner=agent)
    now = timezone.now()
    later = task_create(customer=customer, title="later", due_at=now + timedelta(days=2), assignee=agent)
    overdue = task_create(customer=customer, title="overdue", due_at=now - timedelta(days=1), assignee=agent)
    undated = task_create(customer=customer, title="someday", assignee=agent)
    assert list(task_list_open_for(user=agent)) == [overdue, later, undated]
    task_complete(task=overdue)
    assert overdue.done_at is not None
    assert list(task_list_open_for(user=agent)) == [later, undated]
    task_update(task=overdue, data={"done": False})
    assert overdue.done_at is None
