"""No input makes the API answer 500: garbage bodies, wrong types, huge or invalid values, junk URLs."""

from __future__ import annotations

import json

import pytest

from rapport.api.v1.urls import router
from tests.api.conftest import RESOURCES, create_payloads, detail_of

VIEWSETS = {prefix: viewset for prefix, viewset, _basename in router.registry}

pytestmark = pytest.mark.django_db

RAW_BODIES = [
    b"", b"{", b"null", b"[]", b"[1, 2]", b'"text"', b"123", b"true", b"{\"a\": NaN}", b"{\"a\": Infinity}",
    b"\xff\xfe\x00", b"[" * 50_000, b"{\"a\":" * 50_000, b'{"\\ud800": 1}', "{\"é\": 1}".encode("latin-1"),
]
JUNK_VALUES = [
    None, "", " ", "x" * 100_000, -1, 0, 10**30, -(10**30), 1.5, 1e308, True, [], [None], {}, {"id": 1},
    "\x00", "a\x00b", "\ud800", "NaN", "Infinity", "-Infinity", "1e999", "1" * 5000, "abc",
    "9999-12-31T23:59:59-12:00", "0001-01-01T00:00:00+14:00", "2024-02-30", "2024-01-01", "2024-01-01T10:00:00",
    "../../etc/passwd", "<script>alert(1)</script>", "' OR 1=1 --",
]
RAW_NUMBERS = ["1e999", "-1e999", "1" * 4000, "0.1234567890123456789", "1e-400"]
BAD_IDS = ["abc", "1.5", "-1", "0", "99999999999999999999999", "1e3", "%00", "null", "1;DROP"]
QUERY_JUNK = [
    "", "abc", "-1", "0", "1.5", "99999999999999999999999", "%00", "true", "9999-12-31T23:59:59-12:00",
    "0001-01-01T00:00:00%2B14:00", "2024-13-45", "x" * 5000, "%FF%FE", "a,b,c", "-", "--created_at",
]
FILTERS = {
    "customers": ["kind", "lifecycle_stage", "relationship_level", "owner", "team", "country", "city", "language",
                  "tag", "email", "external_id"],
    "contacts": ["organisation"],
    "interactions": ["customer", "channel", "direction", "occurred_at_after", "occurred_at_before"],
    "notes": ["customer"],
    "tasks": ["customer", "assignee", "done", "due_at_after", "due_at_before"],
    "products": ["category", "is_active", "sku"],
    "orders": ["customer", "status", "channel", "placed_at_after", "placed_at_before"],
}
PAGING = ["cursor", "page_size", "ordering"]


def _send(client, method: str, url: str, payload) -> int:
    body = json.dumps(payload, ensure_ascii=True) if not isinstance(payload, bytes) else payload
    response = client.generic(method, url, body, content_type="application/json")
    return response.status_code


@pytest.fixture
def admin_client(api, admin_user):
    return api.as_user(admin_user)


@pytest.mark.parametrize("resource", RESOURCES)
def test_it_never_answers_500_to_garbage_bodies(admin_client, world, resource):
    detail = f"/api/v1/{resource}/{detail_of(world, resource).pk}/"
    statuses = {}
    for body in RAW_BODIES:
        for method, url in (("POST", f"/api/v1/{resource}/"), ("PATCH", detail), ("PUT", detail)):
            statuses[(method, body[:20])] = _send(admin_client, method, url, body)
    assert all(code < 500 for code in statuses.values()), statuses
    assert statuses[("POST", b"{")] == 400


def _writable_fields(resource: str) -> list[str]:
    """Every field the resource's create or update accepts, plus ``id``, which none of them does."""
    viewset = VIEWSETS[resource]
    names = {"id"}
    for serializer in (viewset.create_serializer_class, viewset.update_serializer_class):
        names |= {name for name, field in serializer().fields.items() if not field.read_only}
    return sorted(names)


@pytest.mark.slow
@pytest.mark.parametrize("resource", RESOURCES)
def test_it_never_answers_500_to_wrong_types_or_values_in_any_field(admin_client, world, resource):
    valid = create_payloads(world)[resource]
    fields = _writable_fields(resource)
    assert set(valid) <= set(fields)
    detail = f"/api/v1/{resource}/{detail_of(world, resource).pk}/"
    failures = []
    for field in fields:
        for junk in JUNK_VALUES:
            for method, url, base in (("POST", f"/api/v1/{resource}/", valid), ("PATCH", detail, {})):
                status = _send(admin_client, method, url, {**base, field: junk})
                if status >= 500:
                    failures.append((method, field, repr(junk)[:40], status))
    assert failures == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_it_never_answers_500_to_numbers_json_cannot_hold_exactly(admin_client, world, resource):
    valid = create_payloads(world)[resource]
    failures = []
    for field in [*valid, "total", "price", "attributes"]:
        for number in RAW_NUMBERS:
            body = json.dumps({**valid, field: "__N__"}).replace('"__N__"', number).encode()
            status = _send(admin_client, "POST", f"/api/v1/{resource}/", body)
            if status >= 500:
                failures.append((field, number[:20], status))
    assert failures == []


def test_it_never_answers_500_to_junk_in_nested_order_lines_and_identifiers(admin_client, world):
    valid = create_payloads(world)
    failures = []
    for key in ["product", "description", "quantity", "unit_price", "extra"]:
        for junk in JUNK_VALUES:
            order = {**valid["orders"], "lines": [{"description": "x", "unit_price": "1.00", key: junk}]}
            status = _send(admin_client, "POST", "/api/v1/orders/", order)
            if status >= 500:
                failures.append(("lines", key, repr(junk)[:40], status))
    for key in ["source", "external_id"]:
        for junk in JUNK_VALUES:
            customer = {**valid["customers"], "identifiers": [{"source": "shop", "external_id": "1", key: junk}]}
            status = _send(admin_client, "POST", "/api/v1/customers/", customer)
            if status >= 500:
                failures.append(("identifiers", key, repr(junk)[:40], status))
    assert failures == []


@pytest.mark.parametrize("resource", RESOURCES)
def test_it_answers_404_not_500_to_malformed_ids_in_the_url(admin_client, world, resource):
    for bad in BAD_IDS:
        url = f"/api/v1/{resource}/{bad}/"
        for method in ("GET", "PATCH", "PUT", "DELETE"):
            response = admin_client.generic(method, url, "{}", content_type="application/json")
            assert response.status_code == 404, (method, bad, response.status_code)
    response = admin_client.get("/api/v1/customers/abc/timeline/")
    assert response.status_code == 404


@pytest.mark.parametrize("resource", RESOURCES)
def test_it_never_answers_500_to_junk_filters_cursors_and_page_sizes(admin_client, world, resource):
    failures = []
    for param in [*FILTERS[resource], *PAGING]:
        for junk in QUERY_JUNK:
            response = admin_client.get(f"/api/v1/{resource}/?{param}={junk}")
            if response.status_code >= 500:
                failures.append((param, junk[:30], response.status_code))
            elif response.status_code == 400:
                assert isinstance(response.json(), dict)
    assert failures == []


def test_it_never_answers_500_to_junk_timeline_parameters(admin_client, world):
    url = f"/api/v1/customers/{world.customer.pk}/timeline/"
    for param in ["cursor", "limit", "kind"]:
        for junk in QUERY_JUNK:
            assert admin_client.get(f"{url}?{param}={junk}").status_code < 500, (param, junk)


def test_it_never_answers_500_to_junk_credentials(api, agent):
    for payload in [{}, {"username": None}, {"username": ["a"], "password": {}}, {"username": "x" * 100_000}]:
        assert _send(api, "POST", "/api/v1/auth/token/", payload) == 400
    for body in RAW_BODIES:
        assert _send(api, "POST", "/api/v1/auth/token/", body) < 500


def test_it_refuses_bodies_that_are_not_json_or_forms_with_415(admin_client):
    response = admin_client.generic("POST", "/api/v1/customers/", "hello", content_type="text/plain")
    assert response.status_code == 415


def test_it_never_answers_500_to_junk_form_data(admin_client, world):
    for junk in ["", "x" * 10_000, "\x00", "abc", "-1"]:
        data = {"customer": junk, "channel": junk, "direction": junk, "occurred_at": junk}
        assert admin_client.post("/api/v1/interactions/", data).status_code == 400
        assert admin_client.post("/api/v1/customers/", {"first_name": junk, "tags": junk}).status_code < 500


@pytest.mark.parametrize("resource", RESOURCES)
def test_the_browsable_pages_and_options_answer_without_error(admin_client, world, resource):
    detail = f"/api/v1/{resource}/{detail_of(world, resource).pk}/"
    for url in (f"/api/v1/{resource}/", detail):
        assert admin_client.get(url, HTTP_ACCEPT="text/html").status_code == 200
        assert admin_client.options(url).status_code == 200
    assert admin_client.get("/api/v1/", HTTP_ACCEPT="text/html").status_code == 200
