"""The customer 360 page: the page, each partial and each POST, who may do what, and the query budget."""

from __future__ import annotations

import json
from datetime import timedelta
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from rapport.commerce.services import order_create
from rapport.customers.models import Consent, Contact, ContactPoint, Customer, LifecycleChange
from rapport.customers.services import (
    consent_record,
    contact_create,
    contact_point_add,
    customer_add_tags,
    customer_create,
    customer_update,
)
from rapport.interactions.models import Interaction, Note, Task
from rapport.interactions.services import interaction_log, note_add
from tests.factories import make_customer, make_user

pytestmark = pytest.mark.django_db

HX = {"HTTP_HX_REQUEST": "true"}


def toast(response) -> dict:
    return json.loads(response["HX-Trigger"])["toast"]


@pytest.fixture
def customer(agent):
    c = customer_create(
        first_name="Siti", last_name="Rahman", emails=["siti@example.com"], phones=["+60 12-345 6789"],
        owner=agent, team=agent.team, lifecycle_stage="active", relationship_level=3,
    )
    customer_add_tags(customer=c, names=["vip"])
    return c


@pytest.fixture
def organisation(agent):
    return customer_create(kind="organisation", organisation_name="Acme Sdn Bhd", owner=agent, team=agent.team)


@pytest.fixture
def stranger_customer(other_team):
    return make_customer(owner=make_user(role="agent", team=other_team), first_name="Theirs")


@pytest.fixture
def read_only(team):
    return make_user(role="read_only", team=team, username="reader")


@pytest.fixture
def analyst():
    return make_user(role="analyst", username="analyst")


def url(name, customer, *extra):
    return reverse(f"web:{name}", args=[customer.pk, *extra])


def post(client, name, customer, data=None, *extra):
    return client.post(url(name, customer, *extra), data or {}, **HX)


# --- the page -----------------------------------------------------------------------------------------------


def test_it_shows_the_header_profile_and_timeline(client, agent, customer):
    interaction_log(customer=customer, channel="phone", direction="inbound", subject="Asked about fees", user=agent)
    client.force_login(agent)
    response = client.get(url("customer-detail", customer))
    assert response.status_code == 200
    html = response.content.decode()
    assert "<h1" in html and "Siti Rahman" in html
    assert "Active" in html and "Level 3 · Comfort" in html and "vip" in html
    assert 'href="mailto:siti@example.com" dir="ltr" class="ltr-text"' in html
    assert 'href="tel:+60123456789"' in html
    assert "Asked about fees" in html
    # Secondary panels are fetched after the page, not rendered into it.
    assert f'hx-get="{url("customer-orders", customer)}"' in html
    assert f'hx-get="{url("customer-consents", customer)}"' in html
    assert 'id="touch-form"' in html and 'id="task-form"' in html and "Edit profile" in html
    assert 'id="customer-scores"' not in html  # no score stored, so no value or risk badge is invented


def test_the_page_reads_right_to_left_with_addresses_left_to_right(client, agent, customer):
    client.force_login(agent)
    html = client.get(url("customer-detail", customer), HTTP_ACCEPT_LANGUAGE="he").content.decode()
    assert 'dir="rtl"' in html
    assert 'href="mailto:siti@example.com" dir="ltr" class="ltr-text"' in html
    assert 'href="tel:+60123456789" dir="ltr" class="ltr-text"' in html


def test_an_organisation_gets_a_contact_persons_tab_and_a_person_does_not(client, agent, customer, organisation):
    client.force_login(agent)
    assert b"customer-contacts" not in client.get(url("customer-detail", customer)).content
    assert url("customer-contacts", organisation).encode() in client.get(url("customer-detail", organisation)).content


@pytest.mark.parametrize("size", [1, 50])
def test_the_page_runs_the_same_few_queries_whatever_the_history(
    client, agent, size, django_assert_max_num_queries
):
    customer = customer_create(kind="organisation", organisation_name="Acme", owner=agent, team=agent.team)
    base = timezone.now() - timedelta(days=size)
    for i in range(size):
        interaction_log(customer=customer, channel="email", direction="outbound", subject=f"mail {i}",
                        occurred_at=base + timedelta(hours=i), user=agent)
        note_add(customer=customer, body=f"note {i}", author=agent)
        contact_point_add(customer=customer, kind="email", value=f"a{i}@acme.example")
        contact_create(organisation=customer, last_name=f"Person {i}")
    customer_add_tags(customer=customer, names=[f"t{i}" for i in range(min(size, 10))])
    client.force_login(agent)
    client.get(url("customer-detail", customer))  # warm the session and the content types
    # Session and user, then the customer, its facts, one timeline page, the task form's assignees and its
    # latest score (none here; a scored customer costs one more: tests/web/test_customer360_scores.py).
    with django_assert_max_num_queries(8) as captured:
        response = client.get(url("customer-detail", customer))
    assert response.status_code == 200
    assert len(captured.captured_queries) == 7


def test_every_partial_costs_the_same_for_many_rows(client, agent, organisation, django_assert_max_num_queries):
    for i in range(30):
        order_create(customer=organisation, currency="MYR", total=Decimal("5.00"))
        contact_create(organisation=organisation, last_name=f"P{i}")
    for channel in ("email", "sms", "phone", "mail"):
        consent_record(customer=organisation, channel=channel, status="granted", source="web", reason="form")
    client.force_login(agent)
    for name, budget in (("customer-orders", 5), ("customer-contacts", 4), ("customer-consents", 4),
                         ("customer-timeline", 4), ("customer-profile", 3)):
        with django_assert_max_num_queries(budget):
            assert client.get(url(name, organisation), **HX).status_code == 200


# --- who may do what ----------------------------------------------------------------------------------------

GETS = ["customer-detail", "customer-timeline", "customer-profile", "customer-profile-edit", "customer-orders",
        "customer-contacts", "customer-consents"]
POSTS = ["customer-profile-edit", "customer-contact-point-add", "customer-tag-add", "customer-log-interaction",
         "customer-add-note", "customer-create-task", "customer-contacts", "customer-consents"]


@pytest.mark.parametrize("name", GETS)
def test_another_teams_customer_is_not_found_on_any_page(client, agent, stranger_customer, name):
    client.force_login(agent)
    assert client.get(url(name, stranger_customer), **HX).status_code == 404


@pytest.mark.parametrize("name", POSTS)
def test_another_teams_customer_is_not_found_for_any_write(client, agent, stranger_customer, name):
    client.force_login(agent)
    assert post(client, name, stranger_customer, {"touch-subject": "x", "note-body": "x"}).status_code == 404
    assert not Interaction.objects.exists() and not Note.objects.exists()


def test_the_child_routes_of_another_teams_customer_are_not_found(client, agent, stranger_customer, team):
    point = ContactPoint.objects.create(customer=stranger_customer, kind="email", value="x@y.z", normalized="x@y.z")
    client.force_login(agent)
    assert post(client, "customer-contact-point-remove", stranger_customer, {}, point.pk).status_code == 404
    assert ContactPoint.objects.filter(pk=point.pk).exists()


def test_a_read_only_user_sees_the_page_without_edit_controls(client, read_only, customer):
    client.force_login(read_only)
    response = client.get(url("customer-detail", customer))
    assert response.status_code == 200
    html = response.content.decode()
    assert "Siti Rahman" in html
    for control in ('id="touch-form"', 'id="task-form"', 'id="note-form"', "Edit profile", "Remove tag", "hx-post"):
        assert control not in html
    consents = client.get(url("customer-consents", customer), **HX).content.decode()
    assert "hx-post" not in consents


@pytest.mark.parametrize("role", ["read_only", "analyst"])
@pytest.mark.parametrize("name", POSTS)
def test_roles_that_only_read_are_refused_every_write(client, team, customer, role, name):
    client.force_login(make_user(role=role, team=team))
    response = post(client, name, customer, {"touch-subject": "x", "note-body": "x", "task-title": "x"})
    assert response.status_code == 403
    assert "X-Rapport-Message" in response
    assert not Interaction.objects.exists() and not Note.objects.exists() and not Task.objects.exists()


def test_a_read_only_user_cannot_open_the_edit_form(client, read_only, customer):
    client.force_login(read_only)
    assert client.get(url("customer-profile-edit", customer), **HX).status_code == 403


def test_an_analyst_sees_every_customer_read_only(client, analyst, stranger_customer):
    client.force_login(analyst)
    response = client.get(url("customer-detail", stranger_customer))
    assert response.status_code == 200 and b"Theirs" in response.content and b"Edit profile" not in response.content


def test_strangers_are_sent_to_sign_in(client, customer):
    response = client.get(url("customer-detail", customer))
    assert response.status_code == 302 and reverse("web:login") in response["Location"]


# --- timeline -----------------------------------------------------------------------------------------------


def _mixed_history(customer, agent, n=3):
    base = timezone.now() - timedelta(days=10)
    for i in range(n):
        interaction_log(customer=customer, channel="email", direction="outbound", subject=f"mail {i}",
                        occurred_at=base + timedelta(hours=i), user=agent)
        interaction_log(customer=customer, channel="phone", direction="inbound", subject=f"call {i}",
                        occurred_at=base + timedelta(hours=i, minutes=30), user=agent)
        order_create(customer=customer, currency="MYR", total=Decimal("12.50"), external_id=f"SO-{i}",
                     placed_at=base + timedelta(hours=i, minutes=45))


def test_a_channel_chip_shows_only_that_channels_touchpoints(client, agent, customer):
    _mixed_history(customer, agent)
    client.force_login(agent)
    html = client.get(url("customer-timeline", customer) + "?channel=phone", **HX).content.decode()
    assert "call 0" in html and "call 2" in html
    assert "mail 0" not in html and "SO-0" not in html
    assert 'aria-pressed="true"' in html and html.count('aria-pressed="true"') == 1


def test_a_kind_chip_shows_only_that_kind(client, agent, customer):
    _mixed_history(customer, agent)
    client.force_login(agent)
    html = client.get(url("customer-timeline", customer) + "?kind=order", **HX).content.decode()
    assert "SO-0" in html and "MYR12.50" in html
    assert "call 0" not in html and "mail 0" not in html


def test_an_unknown_chip_value_shows_everything(client, agent, customer):
    _mixed_history(customer, agent, 1)
    client.force_login(agent)
    html = client.get(url("customer-timeline", customer) + "?channel=pigeon", **HX).content.decode()
    assert "call 0" in html and "mail 0" in html and "SO-0" in html


def test_load_more_continues_after_the_last_entry_under_the_same_filter(client, agent, customer):
    base = timezone.now() - timedelta(days=1)
    for i in range(45):
        interaction_log(customer=customer, channel="phone", direction="inbound", subject=f"call {i:02d}",
                        occurred_at=base + timedelta(minutes=i), user=agent)
    note_add(customer=customer, body="a note", author=agent)
    client.force_login(agent)
    html = client.get(url("customer-timeline", customer) + "?channel=phone", **HX).content.decode()
    assert "call 44" in html and "call 25" in html and "call 24" not in html and "a note" not in html
    more = html.split('id="timeline-more"')[1].split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    assert "channel=phone" in more
    page2 = client.get(more, **HX).content.decode()
    assert "call 24" in page2 and "call 05" in page2 and "call 25" not in page2
    assert 'id="timeline-more"' in page2 and "<section" not in page2
    more = page2.split('id="timeline-more"')[1].split('hx-get="')[1].split('"')[0].replace("&amp;", "&")
    page3 = client.get(more, **HX).content.decode()
    assert "call 04" in page3 and "call 00" in page3 and 'id="timeline-more"' not in page3


def test_a_forged_cursor_is_a_clear_400(client, agent, customer):
    client.force_login(agent)
    response = client.get(url("customer-timeline", customer) + "?cursor=not-a-cursor", **HX)
    assert response.status_code == 400 and b"cursor" in response.content


# --- profile ------------------------------------------------------------------------------------------------


def _profile_data(customer, **changes):
    data = {
        "version": customer.version, "first_name": customer.first_name, "last_name": customer.last_name,
        "language": customer.language, "country": customer.country, "city": customer.city, "birth_date": "",
        "lifecycle_stage": customer.lifecycle_stage, "relationship_level": customer.relationship_level,
        "owner": customer.owner_id or "", "stage_reason": "",
    }
    data.update(changes)
    return data


def test_edit_opens_a_form_carrying_the_version(client, agent, customer):
    client.force_login(agent)
    html = client.get(url("customer-profile-edit", customer), **HX).content.decode()
    assert f'name="version" value="{customer.version}"' in html
    assert 'name="first_name"' in html and 'name="organisation_name"' not in html
    assert 'for="id_city"' in html and 'for="id_owner"' in html


def test_saving_the_profile_returns_the_read_view_and_a_fresh_header(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-profile-edit", customer, _profile_data(
        customer, city="Ipoh", country="my", lifecycle_stage="at_risk", stage_reason="No order for 90 days",
        relationship_level=4, birth_date="1990-05-17",
    ))
    assert response.status_code == 200, response.content
    html = response.content.decode()
    assert "Ipoh" in html and "Edit profile" in html and 'hx-swap-oob="true"' in html
    assert "At risk" in html and "Level 4 · Personal recognition" in html
    assert toast(response)["message"] == "Profile saved."
    customer.refresh_from_db()
    assert (customer.city, customer.country, customer.relationship_level) == ("Ipoh", "MY", 4)
    assert str(customer.birth_date) == "1990-05-17"
    change = LifecycleChange.objects.filter(customer=customer, to_stage="at_risk").get()
    assert change.changed_by == agent and change.reason == "No order for 90 days" and change.from_stage == "active"


def test_a_stale_edit_is_refused_with_409_and_keeps_what_was_typed(client, agent, manager, customer):
    client.force_login(agent)
    opened_version = customer.version
    customer_update(customer=Customer.objects.get(pk=customer.pk), data={"city": "Penang"}, by=manager)
    response = post(client, "customer-profile-edit", customer, _profile_data(
        customer, version=opened_version, city="Kuching",
    ))
    assert response.status_code == 409
    html = response.content.decode()
    assert "Someone else changed this customer" in html
    assert 'value="Kuching"' in html
    assert toast(response)["level"] == "error"
    customer.refresh_from_db()
    assert customer.city == "Penang"  # never overwritten


def test_a_validation_error_answers_400_next_to_the_field_with_the_input_kept(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-profile-edit", customer, _profile_data(
        customer, country="Malaysia", city="Kuching",
    ))
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_country_error"' in html and 'aria-invalid="true"' in html
    assert 'value="Kuching"' in html
    customer.refresh_from_db()
    assert customer.city != "Kuching"


def test_a_service_error_lands_next_to_its_field(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-profile-edit", customer, _profile_data(
        customer, first_name="", last_name="", city="Kuching",
    ))
    assert response.status_code == 400
    html = response.content.decode()
    assert "A person needs a first or a last name." in html and 'id="id_last_name_error"' in html
    assert 'value="Kuching"' in html


def test_an_agent_cannot_hand_a_customer_to_someone_of_another_team(client, agent, other_team, customer):
    outsider = make_user(role="agent", team=other_team)
    client.force_login(agent)
    response = post(client, "customer-profile-edit", customer, _profile_data(customer, owner=outsider.pk))
    assert response.status_code == 400 and b'id="id_owner_error"' in response.content
    customer.refresh_from_db()
    assert customer.owner == agent


def test_an_admin_hands_a_customer_over_and_the_team_follows(client, admin_user, other_team, customer):
    outsider = make_user(role="agent", team=other_team)
    client.force_login(admin_user)
    response = post(client, "customer-profile-edit", customer, _profile_data(customer, owner=outsider.pk))
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.owner == outsider and customer.team == other_team


def test_an_organisation_edits_its_organisation_name(client, agent, organisation):
    client.force_login(agent)
    data = _profile_data(organisation, organisation_name="Acme Holdings")
    del data["first_name"], data["last_name"]
    response = post(client, "customer-profile-edit", organisation, data)
    assert response.status_code == 200
    organisation.refresh_from_db()
    assert organisation.display_name == "Acme Holdings"


def test_cancel_returns_the_read_view(client, agent, customer):
    client.force_login(agent)
    response = client.get(url("customer-profile", customer), **HX)
    assert response.status_code == 200 and b"Edit profile" in response.content and b"<form" not in response.content


def test_adding_and_removing_an_email_updates_the_header(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-contact-point-add", customer, {"point-kind": "email", "point-value": "s@x.my"})
    assert response.status_code == 200
    assert b"mailto:s@x.my" in response.content and b'id="customer-header"' in response.content
    point = ContactPoint.objects.get(customer=customer, value="siti@example.com")
    response = post(client, "customer-contact-point-remove", customer, {}, point.pk)
    assert response.status_code == 200
    customer.refresh_from_db()
    assert customer.primary_email == "s@x.my"
    assert 'href="mailto:s@x.my"' in response.content.decode().split('id="customer-header"')[1]


def test_a_bad_email_is_refused_next_to_the_field(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-contact-point-add", customer, {"point-kind": "email", "point-value": "nope"})
    assert response.status_code == 400
    html = response.content.decode()
    assert "nope is not a valid e-mail address." in html and 'value="nope"' in html
    assert 'id="id_point-value_error"' in html


def test_tags_are_added_and_removed(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-tag-add", customer, {"tag-name": "gold, newsletter"})
    assert response.status_code == 200
    assert sorted(customer.tags.values_list("name", flat=True)) == ["gold", "newsletter", "vip"]
    vip = customer.tags.get(name="vip")
    response = post(client, "customer-tag-remove", customer, {}, vip.pk)
    assert response.status_code == 200 and b"vip" not in response.content
    assert sorted(customer.tags.values_list("name", flat=True)) == ["gold", "newsletter"]


def test_an_empty_tag_is_refused_and_a_foreign_tag_is_not_found(client, agent, customer, organisation):
    client.force_login(agent)
    response = post(client, "customer-tag-add", customer, {"tag-name": " , "})
    assert response.status_code == 400 and b"Give the tag a name." in response.content
    other = customer_add_tags(customer=organisation, names=["other"])[0]
    assert post(client, "customer-tag-remove", customer, {}, other.pk).status_code == 404


# --- quick actions ------------------------------------------------------------------------------------------


def test_logging_a_call_puts_it_on_top_of_the_timeline(client, agent, customer):
    interaction_log(customer=customer, channel="email", direction="outbound", subject="Older", user=agent,
                    occurred_at=timezone.now() - timedelta(days=1))
    client.force_login(agent)
    response = post(client, "customer-log-interaction", customer, {
        "touch-channel": "phone", "touch-direction": "inbound", "touch-subject": "Wants a callback",
        "touch-body": "About the renewal",
    })
    assert response.status_code == 200
    html = response.content.decode()
    form, timeline = html.split('id="timeline"', 1)
    assert 'value="Wants a callback"' not in form  # the form starts again blank
    assert 'option value="phone" selected' in form  # with the channel just used
    assert 'hx-swap-oob="true"' in timeline.split(">", 1)[0]
    assert timeline.index("Wants a callback") < timeline.index("Older")
    assert toast(response) == {"message": "Phone logged.", "level": "success"}
    interaction = Interaction.objects.get(subject="Wants a callback")
    assert (interaction.user, interaction.channel, interaction.direction, interaction.source) == (
        agent, "phone", "inbound", "web")


def test_a_touchpoint_needs_a_subject_or_a_body(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-log-interaction", customer, {
        "touch-channel": "branch", "touch-direction": "inbound", "touch-subject": "", "touch-body": "",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_touch-subject_error"' in html and 'option value="branch" selected' in html
    assert not Interaction.objects.exists()


def test_a_touchpoint_in_the_future_is_refused(client, agent, customer):
    client.force_login(agent)
    later = (timezone.localtime() + timedelta(days=2)).strftime("%Y-%m-%dT%H:%M")
    response = post(client, "customer-log-interaction", customer, {
        "touch-channel": "phone", "touch-direction": "inbound", "touch-subject": "Soon", "touch-occurred_at": later,
    })
    assert response.status_code == 400 and b'id="id_touch-occurred_at_error"' in response.content
    assert b'value="Soon"' in response.content


def test_a_touchpoint_keeps_the_time_given(client, agent, customer):
    client.force_login(agent)
    when = timezone.localtime() - timedelta(hours=3)
    post(client, "customer-log-interaction", customer, {
        "touch-channel": "email", "touch-direction": "outbound", "touch-subject": "Sent the quote",
        "touch-occurred_at": when.strftime("%Y-%m-%dT%H:%M"),
    })
    logged = Interaction.objects.get().occurred_at
    assert abs((logged - when).total_seconds()) < 60


def test_a_note_is_added_and_an_empty_one_refused(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-add-note", customer, {"note-body": "   "})
    assert response.status_code == 400 and b'id="id_note-body_error"' in response.content
    response = post(client, "customer-add-note", customer, {"note-body": "Prefers WhatsApp"})
    assert response.status_code == 200 and b"Prefers WhatsApp" in response.content
    assert Note.objects.get().author == agent


def test_a_task_is_created_for_me_by_default(client, agent, customer):
    client.force_login(agent)
    form = client.get(url("customer-detail", customer)).content.decode().split('id="task-form"')[1]
    assert f'<option value="{agent.pk}" selected>' in form
    response = post(client, "customer-create-task", customer, {
        "task-title": "Send the renewal offer", "task-due_date": "2031-03-04", "task-assignee": agent.pk,
    })
    assert response.status_code == 200
    assert b"Send the renewal offer" in response.content and toast(response)["message"] == "Task created."
    task = Task.objects.get()
    assert (task.assignee, task.created_by, task.customer) == (agent, agent, customer)
    assert timezone.localtime(task.due_at).date().isoformat() == "2031-03-04"


def test_a_task_needs_a_title_and_an_assignee_the_user_may_pick(client, agent, other_team, customer):
    outsider = make_user(role="agent", team=other_team)
    client.force_login(agent)
    response = post(client, "customer-create-task", customer, {
        "task-title": "", "task-due_date": "2031-03-04", "task-assignee": outsider.pk,
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_task-title_error"' in html and 'id="id_task-assignee_error"' in html
    assert 'value="2031-03-04"' in html
    assert not Task.objects.exists()


# --- orders, contact persons, consent ----------------------------------------------------------------------


def test_orders_come_latest_first_with_money_and_more(client, agent, customer):
    base = timezone.now() - timedelta(days=30)
    for i in range(13):
        order_create(customer=customer, currency="MYR", total=Decimal("1234.50"), external_id=f"SO-{i:02d}",
                     placed_at=base + timedelta(days=i))
    client.force_login(agent)
    html = client.get(url("customer-orders", customer), **HX).content.decode()
    assert html.index("SO-12") < html.index("SO-03") and "SO-02" not in html
    assert "MYR1,234.50" in html
    more = html.split('id="orders-more"')[1].split('hx-get="')[1].split('"')[0]
    rest = client.get(more, **HX).content.decode()
    assert "SO-02" in rest and "SO-00" in rest and "SO-03" not in rest and "orders-more" not in rest


def test_an_empty_order_list_says_so(client, agent, customer):
    client.force_login(agent)
    assert b"No orders yet." in client.get(url("customer-orders", customer), **HX).content


def test_contact_persons_are_listed_added_edited_and_removed(client, agent, organisation):
    contact_create(organisation=organisation, first_name="Aziz", last_name="Omar", email="aziz@acme.my")
    client.force_login(agent)
    html = client.get(url("customer-contacts", organisation), **HX).content.decode()
    assert "Aziz Omar" in html and 'href="mailto:aziz@acme.my" dir="ltr"' in html

    response = post(client, "customer-contacts", organisation, {
        "new-contact-first_name": "Mei", "new-contact-last_name": "Tan", "new-contact-job_title": "Buyer",
    })
    assert response.status_code == 200 and b"Mei Tan" in response.content
    mei = Contact.objects.get(last_name="Tan")

    form = client.get(url("customer-contact-edit", organisation, mei.pk), **HX).content.decode()
    assert 'value="Buyer"' in form
    response = post(client, "customer-contact-edit", organisation, {
        f"contact-{mei.pk}-last_name": "Tan", f"contact-{mei.pk}-first_name": "Mei",
        f"contact-{mei.pk}-job_title": "Head of buying",
    }, mei.pk)
    assert response.status_code == 200 and b"Head of buying" in response.content
    assert client.get(url("customer-contact", organisation, mei.pk), **HX).status_code == 200

    response = post(client, "customer-contact-delete", organisation, {}, mei.pk)
    assert response.status_code == 200 and response.content == b""
    assert not Contact.objects.filter(pk=mei.pk).exists()


def test_a_contact_person_needs_a_last_name_and_a_real_email(client, agent, organisation):
    client.force_login(agent)
    response = post(client, "customer-contacts", organisation, {
        "new-contact-first_name": "Mei", "new-contact-email": "not-mail",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_new-contact-last_name_error"' in html and 'id="id_new-contact-email_error"' in html
    assert 'value="Mei"' in html and "<details open" in html
    contact = contact_create(organisation=organisation, last_name="Omar")
    response = post(client, "customer-contact-edit", organisation, {f"contact-{contact.pk}-last_name": ""}, contact.pk)
    assert response.status_code == 400 and f'id="id_contact-{contact.pk}-last_name_error"'.encode() in response.content


def test_another_organisations_contact_is_not_found(client, agent, organisation):
    other = customer_create(kind="organisation", organisation_name="Other", owner=agent, team=agent.team)
    theirs = contact_create(organisation=other, last_name="Lee")
    client.force_login(agent)
    assert client.get(url("customer-contact-edit", organisation, theirs.pk), **HX).status_code == 404
    assert post(client, "customer-contact-delete", organisation, {}, theirs.pk).status_code == 404
    assert Contact.objects.filter(pk=theirs.pk).exists()


def test_a_person_has_no_contact_persons(client, agent, customer):
    client.force_login(agent)
    assert b"Contact persons belong to organisations." in client.get(url("customer-contacts", customer), **HX).content
    response = post(client, "customer-contacts", customer, {"new-contact-last_name": "Tan"})
    assert response.status_code == 400 and not Contact.objects.exists()


def test_consent_shows_each_channel_with_when_and_why(client, agent, customer):
    consent_record(customer=customer, channel="email", status="granted", source="shop", reason="Ticked at checkout")
    client.force_login(agent)
    html = client.get(url("customer-consents", customer), **HX).content.decode()
    for label in ("E-mail", "SMS", "Phone", "Mail"):
        assert f">{label}</h3>" in html
    assert "Granted" in html and "Ticked at checkout" in html and "shop" in html
    assert html.count("Not recorded") == 3


def test_a_consent_change_needs_a_reason(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-consents", customer, {
        "channel": "sms", "consent-sms-status": "withdrawn", "consent-sms-reason": " ",
    })
    assert response.status_code == 400
    html = response.content.decode()
    assert 'id="id_consent-sms-reason_error"' in html and '<option value="withdrawn" selected' in html
    assert not Consent.objects.exists()


def test_a_consent_change_is_recorded_from_the_web_with_its_reason(client, agent, customer):
    client.force_login(agent)
    response = post(client, "customer-consents", customer, {
        "channel": "sms", "consent-sms-status": "withdrawn", "consent-sms-reason": "Asked on the phone to stop",
    })
    assert response.status_code == 200
    consent = Consent.objects.get(customer=customer, channel="sms")
    assert (consent.status, consent.source, consent.reason) == ("withdrawn", "web", "Asked on the phone to stop")
    assert "Asked on the phone to stop" in response.content.decode()


def test_an_unknown_consent_channel_is_refused(client, agent, customer):
    client.force_login(agent)
    assert post(client, "customer-consents", customer, {"channel": "fax"}).status_code == 400
