import pytest
from django.core.exceptions import ValidationError

from rapport.customers.models import ContactPoint, Customer
from rapport.customers.services import (
    Identifier,
    StaleEditError,
    consent_record,
    contact_create,
    contact_point_add,
    contact_point_remove,
    customer_create,
    customer_set_tags,
    customer_update,
    identifier_add,
)
from tests.factories import make_customer

pytestmark = pytest.mark.django_db


def test_it_creates_a_person_with_contact_points_and_keeps_the_primary_ones():
    c = customer_create(
        first_name=" Jan ", last_name="Kowalski", emails=["JAN@Example.com", "jan@work.example"],
        phones=["+48 600-100-200"], country="pl", identifiers=[Identifier("shop", "42")], tags=["vip", "vip"],
    )
    assert c.display_name == "Jan Kowalski"
    assert c.country == "PL"
    assert c.primary_email == "JAN@Example.com" and c.primary_phone == "+48 600-100-200"
    normalized = set(ContactPoint.objects.filter(customer=c).values_list("normalized", flat=True))
    assert normalized == {"jan@example.com", "jan@work.example", "+48600100200"}
    assert list(c.tags.values_list("name", flat=True)) == ["vip"]


def test_an_organisation_needs_a_name_and_a_person_needs_a_name():
    with pytest.raises(ValidationError) as err:
        customer_create(kind="organisation")
    assert "organisation_name" in err.value.message_dict
    with pytest.raises(ValidationError) as err:
        customer_create(kind="person")
    assert "last_name" in err.value.message_dict


def test_a_bad_email_writes_nothing():
    with pytest.raises(ValidationError) as err:
        customer_create(first_name="A", emails=["not-an-email"])
    assert "emails" in err.value.message_dict
    assert not Customer.objects.exists()


def test_a_bad_country_code_names_the_field():
    with pytest.raises(ValidationError) as err:
        customer_create(first_name="A", country="Poland")
    assert "country" in err.value.message_dict


def test_it_refuses_a_stale_edit():
    c = make_customer()
    customer_update(customer=c, data={"city": "Warsaw"}, expected_version=1)
    assert c.version == 2 and c.city == "Warsaw"
    with pytest.raises(StaleEditError):
        customer_update(customer=c, data={"city": "Kraków"}, expected_version=1)
    c.refresh_from_db()
    assert c.city == "Warsaw"


def test_it_refuses_to_change_fields_kept_by_the_system():
    with pytest.raises(ValidationError) as err:
        customer_update(customer=make_customer(), data={"display_name": "x", "version": 9})
    assert set(err.value.message_dict) == {"display_name", "version"}


def test_the_renamed_customer_gets_a_new_display_name():
    c = make_customer(first_name="Ali", last_name="Rezaei")
    customer_update(customer=c, data={"last_name": "Karimi"})
    assert Customer.objects.get(pk=c.pk).display_name == "Ali Karimi"


def test_removing_the_primary_email_promotes_the_next_one():
    c = customer_create(first_name="A", emails=["a@x.example", "b@x.example"])
    first = ContactPoint.objects.get(customer=c, normalized="a@x.example")
    contact_point_remove(point=first)
    c.refresh_from_db()
    assert c.primary_email == "b@x.example"
    assert ContactPoint.objects.get(customer=c).is_primary


def test_adding_the_same_email_twice_keeps_one():
    c = customer_create(first_name="A", emails=["a@x.example"])
    contact_point_add(customer=c, kind="email", value=" A@X.example ")
    assert ContactPoint.objects.filter(customer=c).count() == 1


def test_an_identifier_belongs_to_one_customer_per_source():
    a, b = make_customer(), make_customer()
    identifier_add(customer=a, source="pos", external_id="7")
    identifier_add(customer=b, source="web", external_id="7")
    with pytest.raises(ValidationError) as err:
        identifier_add(customer=b, source="pos", external_id="7")
    assert "identifiers" in err.value.message_dict


def test_consent_is_one_current_record_per_channel():
    c = make_customer()
    consent_record(customer=c, channel="sms", status="granted", source="branch")
    consent_record(customer=c, channel="sms", status="withdrawn", source="portal", reason="too many")
    (consent,) = c.consents.all()
    assert (consent.status, consent.source, consent.reason) == ("withdrawn", "portal", "too many")
    with pytest.raises(ValidationError):
        consent_record(customer=c, channel="pigeon", status="granted")


def test_tags_can_be_replaced():
    c = make_customer(tags=["a", "b"])
    customer_set_tags(customer=c, names=["c"])
    assert list(c.tags.values_list("name", flat=True)) == ["c"]


def test_contact_persons_belong_to_organisations_only():
    org = customer_create(kind="organisation", organisation_name="Bank Nusantara")
    contact = contact_create(organisation=org, first_name="Dewi", last_name="Sari", job_title="CFO")
    assert list(org.contacts.all()) == [contact]
    with pytest.raises(ValidationError):
        contact_create(organisation=make_customer(), last_name="X")
