"""The OpenAPI schema is served, valid and free of generator warnings; the docs page is served."""

from __future__ import annotations

import io

import pytest
import yaml
from django.core.management import call_command
from drf_spectacular.validation import validate_schema

pytestmark = pytest.mark.django_db


def test_the_schema_command_validates_without_warnings():
    out = io.StringIO()
    # --fail-on-warn raises SchemaGenerationError on any warning; --validate checks it against OpenAPI 3.
    call_command("spectacular", "--validate", "--fail-on-warn", stdout=out, stderr=out)
    assert "openapi: 3" in out.getvalue()


def test_the_schema_endpoint_answers_a_valid_document(api, agent):
    response = api.as_user(agent).get("/api/schema/")
    assert response.status_code == 200
    schema = yaml.safe_load(response.content)
    validate_schema(schema)
    paths = set(schema["paths"])
    for resource in ("customers", "contacts", "interactions", "notes", "tasks", "products", "orders"):
        assert f"/api/v1/{resource}/" in paths and f"/api/v1/{resource}/{{id}}/" in paths
    assert {"/api/v1/auth/token/", "/api/v1/customers/{id}/timeline/"} <= paths


def test_the_schema_documents_writes_as_input_in_and_record_out(api, agent):
    schema = yaml.safe_load(api.as_user(agent).get("/api/schema/").content)
    create = schema["paths"]["/api/v1/customers/"]["post"]
    assert create["requestBody"]["content"]["application/json"]["schema"]["$ref"].endswith("CustomerCreateRequest")
    assert create["responses"]["201"]["content"]["application/json"]["schema"]["$ref"].endswith("/Customer")
    listing = schema["paths"]["/api/v1/customers/"]["get"]
    names = {p["name"] for p in listing["parameters"]}
    assert {"cursor", "page_size", "ordering", "email", "tag", "owner", "external_id"} <= names


def test_the_docs_page_is_served(api, agent):
    response = api.as_user(agent).get("/api/docs/")
    assert response.status_code == 200 and b"swagger" in response.content.lower()
