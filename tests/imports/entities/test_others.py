"""Products, contact persons and interactions go through the same framework."""

from datetime import UTC, datetime
from decimal import Decimal

import pytest

from rapport.commerce.models import Product
from rapport.customers.models import Contact, Customer
from rapport.imports.services import batch_rollback
from rapport.interactions.models import Interaction
from tests.factories import make_user
from tests.imports.conftest import CUSTOMER_HEADERS, customer_row, run

pytestmark = pytest.mark.django_db


def test_products_by_sku(var_dir):
    headers = ["SKU", "Nazwa produktu", "Kategoria", "Cena", "Waluta", "Aktywny"]
    rows = [["P1", "Herbata", "Napoje", "12,50", "PLN", "tak?"], ["P2", "Kawa", "", "20", "PLN", "nie"]]
    out = run("products", headers, rows)
    assert out.counts["created"] == 1 and 'is_active: "tak?" is not yes or no' in out.first_errors[0]
    kawa = Product.objects.get()
    assert kawa.price == Decimal("20.00") and kawa.is_active is False and kawa.currency == "PLN"
    again = run("products", headers, [["P2", "Kawa", "", "21", "PLN", "nie"]])
    assert again.counts["updated"] == 1
    batch_rollback(batch=again.batch)
    kawa.refresh_from_db()
    assert kawa.price == Decimal("20.00")


@pytest.fixture
def organisation(var_dir):
    run("customers", ["ID", "Company"], [["ORG1", "Syarikat Maju"]])
    run("customers", CUSTOMER_HEADERS, [customer_row(1)])
    return Customer.objects.get(organisation_name="Syarikat Maju")


def test_contact_persons_belong_to_organisations(organisation):
    headers = ["Company", "First name", "Last name", "Job title", "Email", "Phone", "Primary"]
    rows = [["ORG1", "Siti", "Rahman", "CFO", "siti@maju.my", "+60 3-2141 1234", "yes"],
            ["ORG1", "Ali", "Hassan", "Buyer", "", "", ""],
            ["C0001", "Not", "Possible", "", "", "", ""],
            ["ORG9", "No", "Organisation", "", "", "", ""]]
    out = run("contacts", headers, rows)
    assert dict(out.counts) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 2}
    errors = "\n".join(out.first_errors)
    assert '"C0001" is a person, not an organisation' in errors and 'external id "ORG9"' in errors
    siti = Contact.objects.get(email="siti@maju.my")
    assert siti.organisation == organisation and siti.is_primary and siti.job_title == "CFO"
    # The same person again (by e-mail, or by name without one) updates rather than duplicates.
    again = run("contacts", headers, [["ORG1", "Siti", "Rahman", "CEO", "SITI@maju.my", "", ""],
                                      ["ORG1", "Ali", "Hassan", "Buyer", "", "", ""]])
    assert dict(again.counts) == {"created": 0, "updated": 1, "unchanged": 1, "rejected": 0}
    siti.refresh_from_db()
    assert siti.job_title == "CEO" and Contact.objects.count() == 2


def test_interactions_on_the_timeline(var_dir, team):
    run("customers", CUSTOMER_HEADERS, [customer_row(1)])
    agent = make_user(role="agent", team=team, username="hafiz")
    headers = ["Customer", "Date", "Channel", "Direction", "Subject", "Notes", "Agent"]
    rows = [["C0001", "2024-05-01 09:30", "Telefon", "in", "Complaint", "Late delivery", "hafiz"],
            ["C0001", "2024-05-02 10:00", "e-mel", "outbound", "Apology", "", ""],
            ["C0001", "tomorrow", "email", "", "", "", ""],
            ["C0001", "2024-05-03", "pigeon", "", "", "", ""],
            ["C0404", "2024-05-03", "email", "", "", "", ""]]
    out = run("interactions", headers, rows)
    assert dict(out.counts) == {"created": 2, "updated": 0, "unchanged": 0, "rejected": 3}
    call = Interaction.objects.get(subject="Complaint")
    assert call.channel == "phone" and call.direction == "inbound" and call.user == agent
    assert call.occurred_at == datetime(2024, 5, 1, 9, 30, tzinfo=UTC) and call.body == "Late delivery"
    again = run("interactions", headers, rows[:2])
    assert again.counts["unchanged"] == 2 and Interaction.objects.count() == 2
    edited = run("interactions", headers, [["C0001", "2024-05-01 09:30", "phone", "in", "Complaint", "Solved", ""]])
    assert edited.counts["updated"] == 1
    call.refresh_from_db()
    assert call.body == "Solved" and call.user == agent
