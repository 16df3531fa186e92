"""HTMX helpers: a view answers a whole page to a browser and only the changed part to an HTMX request."""

from __future__ import annotations

import json
from typing import Any

from django.http import HttpRequest, HttpResponse


def htmx_partial(request: HttpRequest) -> bool:
    """True when the request came from HTMX and is not a boosted full-page navigation."""
    return request.headers.get("HX-Request") == "true" and request.headers.get("HX-Boosted") != "true"


def with_toast(response: HttpResponse, message: str, level: str = "success") -> HttpResponse:
    """Ask the page to show ``message`` as a toast (base.html listens for the ``toast`` event)."""
    triggers: dict[str, Any] = {}
    if response.get("HX-Trigger"):
        try:
            triggers = json.loads(response["HX-Trigger"])
        except ValueError:
            triggers = {}
    triggers["toast"] = {"message": str(message), "level": level}
    response["HX-Trigger"] = json.dumps(triggers)
    return response
