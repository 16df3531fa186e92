"""``POST /api/v1/auth/token/``: trade a username and password for an API token."""

from __future__ import annotations

from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import parsers
from rest_framework.authtoken.views import ObtainAuthToken

from rapport.api.parsers import JSONParser


@extend_schema_view(post=extend_schema(tags=["auth"]))
class TokenObtainView(ObtainAuthToken):
    """DRF's token view with the API's JSON parser (deeply nested junk is a 400 here too)."""

    parser_classes = (JSONParser, parsers.FormParser, parsers.MultiPartParser)
